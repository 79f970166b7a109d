import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, registerUser } from '../support/server.js';
import { DESKTOP, Person, launchBrowser, startWebServer } from './harness.js';

describe('web client, desktop: every group event reads as a sentence', () => {
  let server: TestServer;
  let browser: Browser;
  let ann: Person;

  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    ann = await Person.open(browser, server.url, 'Ann', DESKTOP);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await ann.snap(ctx.task.name);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('names who did what, pluralises counts, and says when the group is dissolved', async () => {
    const api = server.api;
    const a = await registerUser(api, 'Ann');
    const b = await registerUser(api, 'Bob');
    const c = await registerUser(api, 'Cat');
    for (const f of [b, c]) {
      const r = await api.post('/api/v1/contacts/requests', { userId: f.user.id }, a.token);
      await api.post(`/api/v1/contacts/requests/${r.body.id}/accept`, {}, f.token);
    }
    const ok = (r: { status: number; body: unknown }) => {
      if (r.status >= 300) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
      return r;
    };
    const g = ok(await api.post('/api/v1/groups', { name: 'Trip', userIds: [b.user.id] }, a.token)).body as {
      id: string;
    };
    await ann.signIn(a);
    await ann.openChat('Trip');
    // One member besides me: "2 members"; after Bob leaves, "1 member".
    await expect.poll(() => ann.page.locator('[data-testid="chat-subtitle"]').innerText()).toBe('2 members');
    ok(await api.post(`/api/v1/groups/${g.id}/leave`, {}, b.token));
    await expect.poll(() => ann.page.locator('[data-testid="chat-subtitle"]').innerText()).toBe('1 member');

    const G = `/api/v1/groups/${g.id}`;
    ok(await api.post(`${G}/members`, { userIds: [b.user.id, c.user.id] }, a.token));
    ok(await api.patch(G, { notice: 'Bring boots' }, a.token));
    ok(await api.patch(G, { joinPolicy: 'invite' }, a.token));
    ok(await api.patch(`${G}/members/${b.user.id}`, { role: 'admin' }, a.token));
    ok(await api.patch(`${G}/members/${c.user.id}`, { mutedUntil: Date.now() + 3_600_000 }, b.token));
    ok(await api.patch(`${G}/members/${c.user.id}`, { mutedUntil: null }, b.token));
    ok(await api.post(`${G}/transfer`, { userId: b.user.id }, a.token));
    ok(await api.delete(G, b.token));

    const lines = ann.page.locator('.system-msg');
    await lines.filter({ hasText: 'dissolved' }).waitFor();
    const texts = await lines.allInnerTexts();
    expect(texts[0]).toBe('You created the group “Trip” with Bob');
    expect(texts.slice(1, 3)).toEqual(['Bob left the group', 'You added Bob and Cat']);
    expect(texts[3]).toBe('You changed the group notice to “Bring boots”');
    expect(texts[4]).toBe('You changed who can join: members join by invitation only');
    expect(texts[5]).toBe('You made Bob an admin');
    expect(texts[6]).toMatch(/^Bob muted Cat until .+/);
    expect(texts.slice(7)).toEqual([
      'Bob unmuted Cat',
      'You made Bob the owner of the group',
      'Bob dissolved the group',
    ]);

    // The header, the composer and the chat list say so.
    await expect
      .poll(() => ann.page.locator('[data-testid="chat-subtitle"]').innerText())
      .toBe('This group was dissolved');
    expect(await ann.page.locator('.composer.disabled').innerText()).toContain('dissolved');
    await ann.go('/');
    await expect
      .poll(() => ann.page.locator(`.conv[data-cid="g:${g.id}"] .conv-preview`).innerText())
      .toBe('Bob dissolved the group');
    ann.assertClean();
  });
});
