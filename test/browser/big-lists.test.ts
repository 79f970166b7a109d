import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, registerUser } from '../support/server.js';
import { DESKTOP, Person, launchBrowser, startWebServer } from './harness.js';

type User = Awaited<ReturnType<typeof registerUser>>;

/** Runs `f` over `xs` a few at a time (the machine is shared; 165 parallel requests would be rude). */
async function each<T, R>(xs: T[], f: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < xs.length; i += 8)
    out.push(...(await Promise.all(xs.slice(i, i + 8).map((x, j) => f(x, i + j)))));
  return out;
}
const n55 = Array.from({ length: 55 }, (_, i) => String(i + 1).padStart(2, '0'));

describe('web client, desktop: lists longer than one page (55 of each)', () => {
  let server: TestServer;
  let browser: Browser;
  let owner: Person;
  let me: User;
  let friends: User[];
  let groupId: string;

  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    owner = await Person.open(browser, server.url, 'Olga', DESKTOP);
    const api = server.api;
    me = await registerUser(api, 'Olga');
    friends = await each(n55, (n) => registerUser(api, `Friend${n}`));
    await each(friends, async (f) => {
      // Each friend asks Olga (55 requests from Olga alone would pass her daily request limit).
      const r = await api.post('/api/v1/contacts/requests', { userId: me.user.id }, f.token);
      const ok = await api.post(`/api/v1/contacts/requests/${r.body.id}/accept`, {}, me.token);
      if (ok.status !== 200) throw new Error(`accept: ${ok.status}`);
    });
    const askers = await each(n55, (n) => registerUser(api, `Asker${n}`));
    await each(askers, (a) => api.post('/api/v1/contacts/requests', { userId: me.user.id }, a.token));
    const blocked = await each(n55, (n) => registerUser(api, `Pest${n}`));
    await each(blocked, (b) => api.put(`/api/v1/blocks/${b.user.id}`, {}, me.token));
    // 55 members: the owner and 54 friends (the 55th friend stays out, for the picker).
    const g = await api.post(
      '/api/v1/groups',
      { name: 'Big family', userIds: friends.slice(0, 54).map((f) => f.user.id) },
      me.token,
    );
    if (g.status !== 201) throw new Error(`create group: ${g.status} ${JSON.stringify(g.body)}`);
    groupId = g.body.id;
    await owner.signIn(me);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await owner.snap(ctx.task.name);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('contacts show every friend, request and block', async () => {
    await owner.go('/contacts');
    const p = owner.page;
    await expect.poll(() => p.locator('section[aria-label="Friends"] .person[data-user]').count()).toBe(55);
    expect(await p.locator('section[aria-label="Friends"] h3 .count').innerText()).toBe('55');
    await expect.poll(() => p.locator('[data-request-from]').count()).toBe(55);
    expect(await p.locator('section[aria-label="Friend requests"] h3 .count').innerText()).toBe('55');
    await expect.poll(() => p.locator('[data-blocked]').count()).toBe(55);
    owner.assertClean();
  });

  it('the group shows 55 members, the picker offers the one friend left out, @mention finds a page-2 member', async () => {
    await owner.go(`/groups/${groupId}`);
    const p = owner.page;
    await expect.poll(() => p.locator('[data-member]').count()).toBe(55);
    expect(await p.locator('[data-group-id] .chat-sub').innerText()).toMatch(/^55 members/);
    await p.click('button:has-text("Add people")');
    await p.locator(`.modal input[aria-label="Invite ${friends[54]!.user.nickname}"]`).waitFor();
    expect(await p.locator('.modal input[type=checkbox]').count()).toBe(1);
    await p.keyboard.press('Escape');

    // A member the server lists on its second page of 50.
    const first = await server.api.get(`/api/v1/groups/${groupId}/members?limit=50`, me.token);
    const onFirst = new Set(
      (first.body.items as { userId?: string; user?: { id: string } }[]).map((x) => x.user?.id ?? x.userId),
    );
    const late = friends.slice(0, 54).find((f) => !onFirst.has(f.user.id))!;
    expect(late).toBeDefined();
    await p.click('button:has-text("Open chat")');
    await p.waitForSelector('.chat .composer textarea');
    await expect.poll(() => p.locator('[data-testid="chat-subtitle"]').innerText()).toBe('55 members');
    await p.locator('.composer textarea').pressSequentially(`Hi @${late.user.nickname}`);
    await p.locator(`.mention-list button:has-text("@${late.user.nickname}")`).waitFor();
    owner.assertClean();
  });
});
