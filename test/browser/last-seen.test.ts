import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, registerUser } from '../support/server.js';
import { connectClient } from '../support/ws-clients.js';
import { DESKTOP, PHONE, Person, launchBrowser, startWebServer } from './harness.js';

const V = '/api/v1';

describe.each([
  ['desktop', DESKTOP, false],
  ['phone', PHONE, true],
] as const)('web client, last seen at %s size', (_label, viewport, touch) => {
  let server: TestServer;
  let browser: Browser;
  let bob: Person;

  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    bob = await Person.open(browser, server.url, 'Bob', viewport, { touch });
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await bob?.snap(ctx.task.name);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the chat header and contacts say "last seen …" when the friend goes offline; the setting lives on the profile', async () => {
    const ann = await registerUser(server.api, 'ann');
    const b = await registerUser(server.api, 'bob');
    const req = await server.api.post(`${V}/contacts/requests`, { userId: b.user.id }, ann.token);
    expect((await server.api.post(`${V}/contacts/requests/${req.body.id}/accept`, {}, b.token)).status).toBe(200);
    await bob.signIn(b);
    await bob.chatWith(ann.username);
    const sub = bob.page.locator('[data-testid="chat-subtitle"]');
    await sub.filter({ hasText: /^offline$/ }).waitFor();

    // Ann comes online on a device of hers, then leaves: Bob's header follows, live.
    const c = await connectClient(server.url, ann.token);
    await sub.filter({ hasText: /^online$/ }).waitFor();
    c.close();
    await sub.filter({ hasText: /^last seen (just now|1 min ago)$/ }).waitFor();
    await bob.go('/contacts');
    await bob.page.locator(`.person[data-user="${ann.username}"]`, { hasText: /last seen/ }).waitFor();

    // Bob's own setting, on his profile: saved at once, and told back by the server.
    await bob.go('/profile');
    const privacy = bob.page.getByRole('region', { name: 'Privacy' });
    const select = privacy.getByRole('combobox', { name: 'Who sees my last seen' });
    expect(await select.inputValue()).toBe('contacts');
    await select.selectOption('nobody');
    await privacy.getByText('you do not see anyone else’s').waitFor();
    await bob.page.getByRole('status').filter({ hasText: 'Privacy saved' }).waitFor();
    expect((await server.api.get(`${V}/me`, b.token)).body.lastSeen).toBe('nobody');
    const box = await select.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= viewport.width).toBe(true);

    // Reciprocity: having hidden his own, Bob no longer sees Ann's (after a reload).
    await bob.page.reload();
    await bob.page.waitForSelector('.shell');
    await bob.chatWith(ann.username);
    await sub.filter({ hasText: /^offline$/ }).waitFor();
    bob.assertClean();
  });
});
