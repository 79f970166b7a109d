import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import { type TestServer, registerUser } from '../support/server.js';
import { DESKTOP, PHONE, Person, launchBrowser, startWebServer } from './harness.js';

describe.each([
  ['desktop', DESKTOP, false],
  ['phone', PHONE, true],
] as const)('web client (%s): forwarding', (_label, viewport, touch) => {
  let server: TestServer;
  let browser: Browser;
  let ann: Person;

  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    ann = await Person.open(browser, server.url, 'Ann', viewport, { touch });
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await ann.snap(ctx.task.name);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const befriend = async (a: { token: string }, b: { token: string; user: { id: string } }) => {
    const req = await server.api.post('/api/v1/contacts/requests', { userId: b.user.id }, a.token);
    await server.api.post(`/api/v1/contacts/requests/${req.body.id}/accept`, {}, b.token);
  };

  it('Forward opens a searchable, paged, multi-select picker; the copies say who wrote them', async () => {
    const a = await registerUser(server.api, 'Ann');
    const b = await registerUser(server.api, 'Bob');
    const c = await registerUser(server.api, 'Carl');
    const d = await registerUser(server.api, 'Dora');
    for (const u of [b, c, d]) await befriend(a, u);
    // More chats than one page of the picker.
    for (let i = 0; i < 20; i++) await befriend(a, await registerUser(server.api, `Pal${i}`));
    const list = await server.api.get('/api/v1/conversations', b.token);
    const dmAB = list.body.items[0].id as string;
    await server.api.post(
      `/api/v1/conversations/${dmAB}/messages`,
      { clientId: newId(), kind: 'text', text: 'Look at this' },
      b.token,
    );

    await ann.signIn(a);
    await ann.openChat('Bob');
    const bubble = ann.message('Look at this');
    await bubble.waitFor();
    const forward = bubble.getByRole('button', { name: 'Forward' });
    if (touch) {
      await ann.longPress(bubble.locator('.bubble'), ann.page.locator('.msg-row.open'));
      await forward.tap();
    } else {
      await bubble.locator('.bubble').hover();
      await forward.click();
    }
    const dialog = ann.page.getByRole('dialog', { name: 'Forward to' });
    await dialog.waitFor();
    const chats = dialog.getByRole('list', { name: 'Chats to forward to' }).getByRole('checkbox');
    expect(await chats.count()).toBe(20);
    await dialog.getByRole('button', { name: 'Show more chats' }).click();
    expect(await chats.count()).toBe(23);

    const search = dialog.getByRole('searchbox', { name: 'Search chats' });
    await search.fill('car');
    expect(await chats.count()).toBe(1);
    await dialog.getByRole('checkbox', { name: 'Carl' }).check();
    await search.fill('dora');
    await dialog.getByRole('checkbox', { name: 'Dora' }).check();
    await search.fill('');
    await dialog.getByRole('button', { name: 'Forward to 2' }).click();
    await ann.page.locator('.toast', { hasText: 'Forwarded to 2 chats' }).waitFor();
    await dialog.waitFor({ state: 'detached' });

    await ann.openChat('Carl');
    const copy = ann.message('Look at this');
    await copy.waitFor();
    expect(await copy.locator('.forwarded-line').innerText()).toBe('Forwarded from Bob');
    expect(await copy.getAttribute('data-sender')).toBe(a.user.id);
    const inDora = await server.api.get('/api/v1/conversations', d.token);
    const dmAD = inDora.body.items.find((x: { peer: string }) => x.peer === a.user.id).id;
    const hist = await server.api.get(`/api/v1/conversations/${dmAD}/messages`, d.token);
    expect(hist.body.items.at(-1)).toMatchObject({ text: 'Look at this', forwarded: { from: b.user.id, name: 'Bob' } });
    ann.assertClean();
  });
});
