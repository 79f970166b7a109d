import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, registerUser } from '../support/server.js';
import { befriend } from '../support/social-fixtures.js';
import { DESKTOP, PHONE, Person, launchBrowser, startWebServer } from './harness.js';

type User = Awaited<ReturnType<typeof registerUser>>;

/** Runs `f` over `xs` a few at a time (the machine is shared). */
async function each<T, R>(xs: T[], f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < xs.length; i += 8) out.push(...(await Promise.all(xs.slice(i, i + 8).map(f))));
  return out;
}

describe('web client: group administration (avatar, muting, join messages, members at creation)', () => {
  let server: TestServer;
  let browser: Browser;
  let olga: Person;
  let bob: Person;
  let o: User;
  let b: User;
  let groupId: string;

  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    olga = await Person.open(browser, server.url, 'Olga', DESKTOP);
    bob = await Person.open(browser, server.url, 'Bob', PHONE, { touch: true });
    o = await registerUser(server.api, 'Olga');
    b = await registerUser(server.api, 'Bob');
    await befriend(server.app, o.user.id, b.user.id);
    const g = await server.api.post(
      '/api/v1/groups',
      { name: 'Book club', joinPolicy: 'approval', userIds: [b.user.id] },
      o.token,
    );
    expect(g.status).toBe(201);
    groupId = g.body.id;
    await olga.signIn(o);
    await bob.signIn(b);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await Promise.all([olga, bob].map((p) => p.snap(ctx.task.name)));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('an admin changes the group picture; it shows in the header, the chat list and the group list', async () => {
    const png = await sharp({ create: { width: 96, height: 96, channels: 3, background: { r: 240, g: 180, b: 20 } } })
      .png()
      .toBuffer();
    await olga.go(`/groups/${groupId}`);
    const head = olga.page.locator('.pane.detail .pane-head');
    await head.getByRole('button', { name: 'Change group picture' }).waitFor();
    expect(await head.locator('.avatar img').count()).toBe(0);
    await olga.page
      .locator('[data-testid="group-avatar-input"]')
      .setInputFiles({ name: 'club.png', mimeType: 'image/png', buffer: png });
    await olga.page.getByRole('status').filter({ hasText: 'Group picture updated' }).waitFor();
    const loaded = (sel: string) =>
      olga.page.waitForFunction((s) => {
        const i = document.querySelector<HTMLImageElement>(s);
        return !!i && i.complete && i.naturalWidth > 0;
      }, sel);
    await loaded('.pane.detail .pane-head .avatar img');
    // The group list beside it, then the chat list and the chat header.
    await loaded('[data-group="Book club"] .avatar img');
    await olga.go('/');
    const conv = olga.page.locator('.conv').filter({ has: olga.page.locator('.conv-title', { hasText: 'Book club' }) });
    await conv.locator('.avatar img').waitFor();
    await olga.openChat('Book club');
    await loaded('.chat-head .avatar img');
    const stored = await server.api.get(`/api/v1/groups/${groupId}`, o.token);
    expect(stored.body.avatar).toBeTruthy();

    // A plain member has no such control.
    await bob.go(`/groups/${groupId}`);
    await bob.page.locator('.pane.detail').waitFor();
    await bob.page.getByRole('button', { name: 'Open chat' }).waitFor();
    expect(await bob.page.getByRole('button', { name: 'Change group picture' }).count()).toBe(0);
    olga.assertClean();
    bob.assertClean();
  });

  it('an admin mutes a member for a chosen time and unmutes; the member’s composer says until when', async () => {
    await bob.openChat('Book club');
    await bob.page.locator('.composer textarea').waitFor();
    await olga.go(`/groups/${groupId}`);
    const row = olga.page.locator(`[data-member="${b.username}"]`);
    const manage = async (item: string) => {
      await row.getByLabel(`Manage ${b.user.nickname}`).click();
      await row.getByRole('button', { name: item }).click();
    };
    await manage('Mute for 8 hours');
    await row.getByTestId('member-muted').waitFor();
    expect(await row.getByTestId('member-muted').innerText()).toMatch(/^Muted until /);
    const stored = await server.api.get(`/api/v1/groups/${groupId}/members`, o.token);
    const until = stored.body.items.find((m: { id: string }) => m.id === b.user.id).mutedUntil as number;
    expect(until - Date.now()).toBeGreaterThan(7.9 * 3_600_000);
    expect(until - Date.now()).toBeLessThanOrEqual(8 * 3_600_000);

    // Bob's phone learns it live: no textarea, a sentence naming the end of the mute.
    const closed = bob.page.locator('.composer.disabled');
    await closed.waitFor();
    const text = await closed.innerText();
    expect(text).toMatch(/muted you in this group until /);
    const hour = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' }).format(until);
    expect(text).toContain(hour);
    expect(await bob.page.locator('.composer textarea').count()).toBe(0);

    await manage('Unmute');
    await row.getByTestId('member-muted').waitFor({ state: 'detached' });
    await bob.page.locator('.composer textarea').waitFor();

    await manage('Mute until unmuted');
    await closed.waitFor();
    expect(await closed.innerText()).toMatch(/until an admin unmutes you/);
    expect(await row.getByTestId('member-muted').innerText()).toMatch(/until an admin unmutes them/);
    // The timeline sentence does not print the far-future date.
    await olga.openChat('Book club');
    await expect.poll(() => olga.page.locator('.system-msg').last().innerText()).toMatch(/until further notice$/);
    // A reload keeps Bob muted (from the server's membership, not only the live entry).
    await bob.reopen();
    await bob.openChat('Book club');
    await bob.page.locator('.composer.disabled', { hasText: 'until an admin unmutes you' }).waitFor();
    await olga.go(`/groups/${groupId}`);
    await manage('Unmute');
    await bob.page.locator('.composer textarea').waitFor();
    olga.assertClean();
    bob.assertClean();
  });

  it('asking to join an approval group carries a message the admins read in the requests list', async () => {
    const cat = await Person.open(browser, server.url, 'Cat', PHONE, { touch: true });
    try {
      const c = await registerUser(server.api, 'Cat');
      await cat.signIn(c);
      await cat.go('/groups');
      await cat.page.getByRole('button', { name: 'Find' }).tap();
      await cat.page.getByLabel('Group name or id').fill(groupId);
      await cat.page.locator('.modal').getByRole('button', { name: 'Search' }).tap();
      await cat.page.getByRole('button', { name: 'Ask to join' }).tap();
      const note = 'Hi! Ann from the library sent me.';
      await cat.page.getByLabel('Message to the admins').fill(note);
      await cat.page.getByRole('button', { name: 'Send request' }).tap();
      await cat.page.getByRole('status').filter({ hasText: "Request sent to Book club's admins" }).waitFor();

      await olga.go(`/groups/${groupId}`);
      const req = olga.page
        .getByRole('region', { name: 'Join requests' })
        .locator(`[data-request-user="${c.username}"]`);
      await req.waitFor();
      expect(await req.innerText()).toContain(note);
      cat.assertClean();
    } finally {
      await cat.close();
    }
    olga.assertClean();
  });

  it('creating a group picks friends from every page of friends, with search', async () => {
    // Olga has Bob and 55 more friends: the list passes the first page of 50.
    const many = await each(
      Array.from({ length: 55 }, (_, i) => `Pal${String(i + 1).padStart(2, '0')}`),
      (n) => registerUser(server.api, n),
    );
    await each(many, (f) => befriend(server.app, o.user.id, f.user.id));
    await olga.go('/groups');
    await olga.page.getByRole('button', { name: 'New group' }).click();
    const modal = olga.page.locator('.modal');
    await modal.getByLabel('Group name').fill('Picnic');
    const list = modal.getByRole('list', { name: 'Friends' });
    await expect.poll(() => list.locator('li').count()).toBe(50);
    await modal.getByRole('button', { name: /^Show more/ }).click();
    await expect.poll(() => list.locator('li').count()).toBe(56);
    const last = many[54]!;
    await list.locator(`[data-friend="${last.username}"] input`).check();
    // Search finds a friend by username and keeps earlier picks.
    await modal.getByLabel('Search friends').fill(many[2]!.username);
    await expect.poll(() => list.locator('li').count()).toBe(1);
    await list.locator(`[data-friend="${many[2]!.username}"] input`).check();
    await modal.getByLabel('Search friends').fill('');
    await modal
      .getByRole('group', { name: /Add friends/ })
      .getByText('(2 picked)')
      .waitFor();
    await modal.getByRole('button', { name: 'Create group' }).click();
    await olga.page.locator('.pane.detail').filter({ hasText: 'Picnic' }).waitFor();
    const gid = await olga.page.locator('.pane.detail').getAttribute('data-group-id');
    const members = await server.api.get(`/api/v1/groups/${gid}/members`, o.token);
    expect(members.body.items.map((m: { id: string }) => m.id).sort()).toEqual(
      [o.user.id, last.user.id, many[2]!.user.id].sort(),
    );
    await olga.page.locator(`[data-member="${last.username}"]`).waitFor();
    olga.assertClean();
  });
});
