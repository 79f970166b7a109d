import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { DESKTOP, PHONE, Person, launchBrowser, startWebServer } from './harness.js';
import { type RestUser, befriend, group, user } from './rest-setup.js';

const V = '/api/v1';

/** The navigation item's badge text, or '' without one. */
const badgeOf = (p: Page, href: string) =>
  p.evaluate((h) => document.querySelector(`.rail a.tab[href="${h}"] .tab-badge`)?.textContent ?? '', href);

/** Badges on Contacts (incoming friend requests) and Groups (join requests to groups I run), live. */
describe('web client: request badges on the navigation', () => {
  let server: TestServer;
  let browser: Browser;
  let ann: Person;
  let dan: Person;
  let A: RestUser;
  let D: RestUser;

  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    A = await user(server.api, 'Ann');
    D = await user(server.api, 'Dan');
    ann = await Person.open(browser, server.url, 'Ann', DESKTOP);
    dan = await Person.open(browser, server.url, 'Dan', PHONE, { touch: true });
    await ann.signIn(A);
    await dan.signIn(D);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await Promise.all([ann, dan].map((p) => p?.snap(ctx.task.name)));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('desktop: friend requests and join requests arrive and are answered live, with counted names', async () => {
    const p = ann.page;
    const { api } = server;
    const contacts = p.getByRole('link', { name: /^Contacts/ });
    expect(await contacts.getAttribute('aria-label')).toBe('Contacts');
    expect(await badgeOf(p, '/contacts')).toBe('');

    const [bob, cat, eve] = [await user(api, 'Bob'), await user(api, 'Cat'), await user(api, 'Eve')];
    const r1 = await api.post(`${V}/contacts/requests`, { userId: A.user.id }, bob.token);
    expect(r1.status).toBe(201);
    await p.getByRole('link', { name: 'Contacts, 1 request' }).waitFor();
    expect(await badgeOf(p, '/contacts')).toBe('1');
    expect(await api.post(`${V}/contacts/requests`, { userId: A.user.id }, cat.token).then((r) => r.status)).toBe(201);
    await p.getByRole('link', { name: 'Contacts, 2 requests' }).waitFor();

    // A join request to a group Ann owns.
    await befriend(api, A, eve);
    const g = await group(api, A, 'Book club', [eve], 'approval');
    const outsider = await user(api, 'Fay');
    expect((await api.post(`${V}/groups/${g.id}/join`, {}, outsider.token)).status).toBe(202);
    await p.getByRole('link', { name: 'Groups, 1 join request' }).waitFor();
    expect(await badgeOf(p, '/groups')).toBe('1');
    // Withdrawn by its sender: gone live.
    expect((await api.delete(`${V}/groups/${g.id}/join`, outsider.token)).status).toBe(200);
    await p.getByRole('link', { name: 'Groups', exact: true }).waitFor();
    expect(await badgeOf(p, '/groups')).toBe('');

    // Answered in the UI: accepting one friend request leaves one.
    await contacts.click();
    await p.locator(`[data-request-from="${bob.username}"] button:has-text("Accept")`).click();
    await p.getByRole('link', { name: 'Contacts, 1 request' }).waitFor();
    // Withdrawn by its sender (over REST): none left.
    expect(
      (
        await api.delete(
          `${V}/contacts/requests/${(await api.get(`${V}/contacts/requests?direction=out`, cat.token)).body.items[0].id}`,
          cat.token,
        )
      ).status,
    ).toBe(200);
    await p.getByRole('link', { name: 'Contacts', exact: true }).waitFor();

    // A join request declined by Ann in the group screen clears the Groups badge.
    expect((await api.post(`${V}/groups/${g.id}/join`, {}, outsider.token)).status).toBe(202);
    await p.getByRole('link', { name: 'Groups, 1 join request' }).waitFor();
    await ann.go(`/groups/${g.id}`);
    await p.locator(`[data-request-user="${outsider.username}"] button:has-text("Decline")`).click();
    await p.getByRole('link', { name: 'Groups', exact: true }).waitFor();
    ann.assertClean();
  });

  it('phone: the bottom bar shows the badge, counted from the server after a reload', async () => {
    const p = dan.page;
    const { api } = server;
    for (const name of ['Gus', 'Hal', 'Ivy']) {
      const u = await user(api, name);
      expect((await api.post(`${V}/contacts/requests`, { userId: D.user.id }, u.token)).status).toBe(201);
    }
    await p.getByRole('link', { name: 'Contacts, 3 requests' }).waitFor();
    await dan.reopen();
    const tab = dan.page.getByRole('link', { name: 'Contacts, 3 requests' });
    await tab.waitFor();
    const badge = dan.page.locator('.rail a.tab[href="/contacts"] .tab-badge');
    expect(await badge.textContent()).toBe('3');
    // The badge sits on its tab, inside the screen, over nothing else on the bar.
    const [t, b] = [await tab.boundingBox(), await badge.boundingBox()];
    expect(b!.x).toBeGreaterThanOrEqual(t!.x);
    expect(b!.x + b!.width).toBeLessThanOrEqual(t!.x + t!.width + 1);
    expect(b!.y + b!.height).toBeLessThanOrEqual(PHONE.height);
    dan.assertClean();
  });
});
