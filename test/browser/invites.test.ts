import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, registerUser } from '../support/server.js';
import { DESKTOP, PHONE, Person, launchBrowser, startWebServer } from './harness.js';

const V = '/api/v1';

describe.each([
  ['desktop', DESKTOP, false],
  ['phone', PHONE, true],
] as const)('web client, invite links at %s size', (_label, viewport, touch) => {
  let server: TestServer;
  let browser: Browser;
  let owner: Person;
  let guest: Person;
  let late: Person;
  const people = () => [owner, guest, late].filter(Boolean);

  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    owner = await Person.open(browser, server.url, 'Olga', viewport, { touch });
    guest = await Person.open(browser, server.url, 'Gus', viewport, { touch });
    late = await Person.open(browser, server.url, 'Lea', viewport, { touch });
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await Promise.all(people().map((p) => p.snap(ctx.task.name)));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The visible control does not sit under another one (the phone's tab bar, say). */
  async function onTop(p: Person, selector: string) {
    const hit = await p.page.evaluate((sel) => {
      const el = document.querySelector(sel) as HTMLElement | null;
      if (!el) return 'missing';
      const r = el.getBoundingClientRect();
      if (r.bottom > innerHeight || r.right > innerWidth || r.left < 0 || r.top < 0) return 'off screen';
      const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return top && (top === el || el.contains(top)) ? 'ok' : `covered by ${top?.className}`;
    }, selector);
    expect(hit, selector).toBe('ok');
  }

  it('an admin makes a one-use link; a signed-in person opens it, sees the card and joins with one click', async () => {
    const o = await registerUser(server.api, 'olga');
    const g = await registerUser(server.api, 'gus');
    const l = await registerUser(server.api, 'lea');
    await owner.signIn(o);
    await guest.signIn(g);
    await late.signIn(l);
    const made = await server.api.post(
      `${V}/groups`,
      { name: 'Book club', notice: 'We read one book a month', joinPolicy: 'invite' },
      o.token,
    );
    expect(made.status).toBe(201);
    const gid = made.body.id as string;

    await owner.go(`/groups/${gid}`);
    const panel = owner.page.getByRole('region', { name: 'Invite links' });
    await panel.waitFor();
    await panel.getByLabel('Number of uses').fill('1');
    await panel.getByLabel('Link expires').selectOption({ label: '1 day' });
    await panel.getByRole('button', { name: 'Create link' }).click();
    const box = panel.getByRole('textbox', { name: 'New invite link' });
    await box.waitFor();
    const link = await box.inputValue();
    expect(link).toMatch(new RegExp(`^${server.url}/#/invite/[A-Za-z0-9_-]{43}$`));
    await panel.locator('[data-status="active"]').waitFor();
    expect(await panel.locator('[data-status="active"]').innerText()).toContain('0 of 1 used');

    await guest.page.goto(link);
    const dialog = guest.page.getByRole('dialog', { name: 'Group invite' });
    await dialog.getByRole('heading', { name: 'Book club' }).waitFor();
    expect(await dialog.innerText()).toContain('1 member');
    expect(await dialog.innerText()).toContain('We read one book a month');
    // The code leaves the address bar at once.
    expect(guest.page.url()).not.toContain('invite');
    await onTop(guest, '[data-testid="invite-card"] button.btn.primary');
    await dialog.getByRole('button', { name: 'Join group' }).click();
    await guest.page.waitForSelector('.chat .composer textarea');
    await guest.page.locator('.system-msg', { hasText: 'joined the group via invite link' }).first().waitFor();
    expect(await dialog.count()).toBe(0);

    // The one use is gone: the next person is told so, plainly (the browser logs the 410 itself).
    late.allow = /status of 410/;
    await late.page.goto(link);
    const refused = late.page.getByRole('dialog', { name: 'Group invite' }).getByRole('alert');
    await refused.waitFor();
    expect(await refused.innerText()).toContain('used as many times as it allows');
    await late.page.getByRole('dialog').getByRole('button', { name: 'Close' }).first().click();
    expect(await late.page.getByRole('dialog').count()).toBe(0);

    await owner.page.reload();
    await owner.page.getByRole('region', { name: 'Invite links' }).locator('[data-status="used_up"]').waitFor();
    for (const p of people()) p.assertClean();
  });

  it('a revoked link says so; an approval group’s link asks to join; signing in first keeps the link', async () => {
    const o = await registerUser(server.api, 'olga');
    await owner.signIn(o);
    const made = await server.api.post(`${V}/groups`, { name: 'Quiet room', joinPolicy: 'approval' }, o.token);
    const gid = made.body.id as string;
    const a = await server.api.post(`${V}/groups/${gid}/invites`, {}, o.token);
    const b = await server.api.post(`${V}/groups/${gid}/invites`, {}, o.token);

    await owner.go(`/groups/${gid}`);
    const panel = owner.page.getByRole('region', { name: 'Invite links' });
    await panel.locator(`[data-invite="${a.body.invite.id}"] button`, { hasText: 'Revoke' }).click();
    await panel.locator(`[data-invite="${a.body.invite.id}"][data-status="revoked"]`).waitFor();

    guest.allow = /status of 410/;
    await guest.page.goto(`${server.url}/#/invite/${a.body.code}`);
    const alert = guest.page.getByRole('dialog', { name: 'Group invite' }).getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('was revoked');
    await guest.page.keyboard.press('Escape');

    // Signed out: the link waits through signing in, then shows.
    const l = await registerUser(server.api, 'lea');
    await late.page.evaluate(() => localStorage.clear());
    await late.page.goto(`${server.url}/login`);
    await late.page.goto(`${server.url}/#/invite/${b.body.code}`);
    await late.page.waitForSelector('input[name=login]');
    await late.page.fill('input[name=login]', l.username);
    await late.page.fill('input[name=password]', l.password);
    await late.page.click('button[type=submit]');
    const dialog = late.page.getByRole('dialog', { name: 'Group invite' });
    await dialog.getByRole('heading', { name: 'Quiet room' }).waitFor();
    await dialog.getByRole('button', { name: 'Request to join' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Request sent' }).waitFor();
    const reqs = await server.api.get(`${V}/groups/${gid}/requests`, o.token);
    expect(reqs.body.items.map((r: any) => r.user.id)).toEqual([l.user.id]);
    for (const p of people()) p.assertClean();
  });
});
