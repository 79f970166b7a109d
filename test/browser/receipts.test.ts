import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '@parley/client';
import { newId } from '../../src/domain/ids.js';
import { type TestServer, registerUser } from '../support/server.js';
import { createGroup } from '../support/social-fixtures.js';
import { connectClient } from '../support/ws-clients.js';
import { DESKTOP, PHONE, Person, launchBrowser, startWebServer } from './harness.js';

describe.each([
  ['desktop', DESKTOP, false],
  ['phone', PHONE, true],
] as const)('web client (%s): delivery ticks and "Seen by"', (_label, viewport, touch) => {
  let server: TestServer;
  let browser: Browser;
  let ann: Person;
  const clients: ParleyClient[] = [];

  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    ann = await Person.open(browser, server.url, 'Ann', viewport, { touch });
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await ann.snap(ctx.task.name);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await browser?.close();
    await server?.close();
  });

  const befriend = async (a: { token: string }, b: { token: string; user: { id: string } }) => {
    const req = await server.api.post('/api/v1/contacts/requests', { userId: b.user.id }, a.token);
    await server.api.post(`/api/v1/contacts/requests/${req.body.id}/accept`, {}, b.token);
  };

  it('my one-to-one bubbles go sent → delivered → read, with accessible labels', async () => {
    const a = await registerUser(server.api, 'Ann');
    const b = await registerUser(server.api, 'Bob');
    await befriend(a, b);
    await ann.signIn(a);
    await ann.chatWith(b.username);
    await ann.send('Are you there?');
    const bubble = ann.message('Are you there?');
    await bubble.waitFor();
    const tick = bubble.locator('[data-receipt]');
    await expect.poll(() => tick.getAttribute('aria-label')).toBe('Sent');
    // Bob's device comes online and catches up: its client reports what it received.
    clients.push(await connectClient(server.url, b.token));
    await bubble.getByRole('img', { name: 'Delivered' }).waitFor();
    expect(await tick.getAttribute('data-receipt')).toBe('delivered');
    const seq = Number(await bubble.getAttribute('data-seq'));
    const dm = (await server.api.get('/api/v1/conversations', b.token)).body.items[0].id as string;
    await server.api.post(`/api/v1/conversations/${dm}/read`, { seq }, b.token);
    await bubble.getByRole('img', { name: 'Read' }).waitFor();
    // A reload (a reconnecting sender) shows the same ticks from the conversation state.
    await ann.reopen();
    await ann.openChat('Bob');
    await ann.message('Are you there?').getByRole('img', { name: 'Read' }).waitFor();
    ann.assertClean();
  });

  it('my group messages say "Seen by N", which opens the list of who saw them', async () => {
    const a = await registerUser(server.api, 'Ann');
    const b = await registerUser(server.api, 'Bea');
    const c = await registerUser(server.api, 'Cyd');
    const d = await registerUser(server.api, 'Dan');
    const { cid, groupId } = await createGroup(server.app, a.user.id, [b.user.id, c.user.id, d.user.id], 'Seen club');
    const sent = await server.api.post(
      `/api/v1/conversations/${cid}/messages`,
      { clientId: newId(), kind: 'text', text: 'Who read this?' },
      a.token,
    );
    for (const u of [b, c]) await server.api.post(`/api/v1/conversations/${cid}/read`, { seq: sent.body.seq }, u.token);
    await ann.signIn(a);
    await ann.go(`/chat/${encodeURIComponent(cid)}`);
    await ann.page.waitForSelector('.chat .composer');
    const seen = ann.message('Who read this?').getByRole('button', { name: /^Seen by 2/ });
    await seen.waitFor();
    if (touch) await seen.tap();
    else await seen.click();
    const dialog = ann.page.getByRole('dialog', { name: 'Seen by' });
    await dialog.waitFor();
    const list = dialog.getByRole('list', { name: 'Members who saw this message' });
    await expect.poll(async () => (await list.locator('.seen-name').allInnerTexts()).sort()).toEqual(['Bea', 'Cyd']);
    expect(await dialog.innerText()).not.toContain('Dan');
    await dialog.getByRole('button', { name: 'Close' }).click();
    expect(groupId).toBeTruthy();
    ann.assertClean();
  });
});
