import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { DESKTOP, PHONE, Person, launchBrowser, startWebServer } from './harness.js';
import { type RestUser, befriend, dm, group, say, user } from './rest-setup.js';

/** Someone else's profile: opened from the chat header, a group avatar and a contact's avatar. */
describe("web client: someone else's profile", () => {
  let server: TestServer;
  let browser: Browser;
  let ann: Person;
  let bob: Person;
  let A: RestUser;
  let B: RestUser;
  let C: RestUser;
  let shared: { id: string; conversation: string };

  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    const { api } = server;
    [A, B, C] = [await user(api, 'Ann'), await user(api, 'Bob'), await user(api, 'Cat')];
    expect((await api.patch('/api/v1/me', { bio: 'Climbs on weekends' }, B.token)).status).toBe(200);
    await befriend(api, A, B);
    await befriend(api, A, C);
    shared = await group(api, A, 'Climbing club', [B, C]);
    await group(api, A, 'Ann and Cat only', [C]);
    await say(api, B, dm(A, B), 'hello Ann');
    await say(api, C, shared.conversation, 'Cat was here');
    ann = await Person.open(browser, server.url, 'Ann', DESKTOP);
    bob = await Person.open(browser, server.url, 'Bob', PHONE, { touch: true });
    await ann.signIn(A);
    await bob.signIn(B);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await Promise.all([ann, bob].map((p) => p?.snap(ctx.task.name)));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('desktop: from the chat header, shows bio and only the groups both are in; Message, Block, Unblock', async () => {
    const p = ann.page;
    await ann.openChat('Bob');
    await p.getByRole('button', { name: 'Profile of Bob' }).click();
    const card = p.getByRole('region', { name: 'Profile of Bob' });
    await card.getByRole('heading', { name: 'Bob' }).waitFor();
    await card.getByText('Climbs on weekends').waitFor();
    await card.getByText(`@${B.username}`).waitFor();
    const groups = p.getByRole('region', { name: 'Groups in common' });
    await groups.getByText('Climbing club').waitFor();
    await groups.locator('.count', { hasText: '1' }).waitFor();
    expect(await groups.getByText('Ann and Cat only').count()).toBe(0);
    expect(new URL(p.url()).pathname).toBe(`/people/${B.user.id}`);

    // Block (confirmed), then Unblock; the server agrees each time.
    await card.getByRole('button', { name: 'Block', exact: true }).click();
    await card.getByRole('button', { name: 'Unblock' }).waitFor();
    await card.getByText('You blocked this person').waitFor();
    const blocks = await server.api.get('/api/v1/blocks', A.token);
    expect(blocks.body.items.map((u: { id: string }) => u.id)).toEqual([B.user.id]);
    await card.getByRole('button', { name: 'Unblock' }).click();
    await card.getByRole('button', { name: 'Block', exact: true }).waitFor();
    expect((await server.api.get('/api/v1/blocks', A.token)).body.items).toEqual([]);

    // Message opens the direct chat.
    await card.getByRole('button', { name: 'Message' }).click();
    await p.waitForSelector(`.chat[data-cid="${dm(A, B)}"] .composer textarea`);

    // A mutual group opens its chat.
    await p.getByRole('button', { name: 'Profile of Bob' }).click();
    await groups.getByRole('link', { name: /Climbing club/ }).click();
    await p.waitForSelector(`.chat[data-cid="${shared.conversation}"]`);
    ann.assertClean();
  });

  it("phone: a sender's avatar in a group opens their profile; a stranger can be added as a friend", async () => {
    // Bob and Cat are not friends: Bob opens Cat's profile from Cat's avatar in the group.
    await bob.openChat('Climbing club');
    await bob.message('Cat was here').waitFor();
    await bob.page.getByRole('button', { name: 'Profile of Cat' }).tap();
    const card = bob.page.getByRole('region', { name: 'Profile of Cat' });
    await card.getByText('Not in your contacts').waitFor();
    expect(await card.getByRole('button', { name: 'Message' }).count()).toBe(0);
    await card.getByRole('button', { name: 'Add friend' }).tap();
    await card.getByRole('button', { name: 'Cancel request' }).waitFor();
    const out = await server.api.get('/api/v1/contacts/requests?direction=out', B.token);
    expect(out.body.items.map((r: { to: { id: string } }) => r.to.id)).toEqual([C.user.id]);
    await bob.page.getByRole('region', { name: 'Groups in common' }).getByText('Climbing club').waitFor();
    // The back button returns to the chat.
    await bob.page.getByRole('button', { name: 'Back', exact: true }).tap();
    await bob.page.waitForSelector(`.chat[data-cid="${shared.conversation}"]`);
    bob.assertClean();
  });

  it('phone: tapping a contact opens the chat; its avatar opens the profile, which fits the screen', async () => {
    const p = bob.page;
    await bob.go('/contacts');
    const row = p.locator(`.person[data-user="${A.username}"]`);
    await row.locator('.person-open').tap();
    await p.waitForSelector(`.chat[data-cid="${dm(A, B)}"] .composer textarea`);
    await bob.go('/contacts');
    await row.getByRole('button', { name: 'Profile of Ann' }).tap();
    const card = p.getByRole('region', { name: 'Profile of Ann' });
    await card.getByRole('heading', { name: 'Ann' }).waitFor();
    await card.getByText('In your contacts').waitFor();
    await p.getByRole('region', { name: 'Groups in common' }).getByText('Climbing club').waitFor();
    // One pane at a time on a phone: the profile fills it and its buttons neither overflow nor overlap.
    const buttons = await card.locator('.person-buttons button').all();
    expect(buttons.length).toBe(2);
    const boxes = await Promise.all(buttons.map((b) => b.boundingBox()));
    for (const b of boxes) {
      expect(b).toBeTruthy();
      expect(b!.x).toBeGreaterThanOrEqual(0);
      expect(b!.x + b!.width).toBeLessThanOrEqual(PHONE.width);
      expect(b!.height).toBeGreaterThanOrEqual(32);
    }
    const [m, k] = boxes as { x: number; y: number; width: number; height: number }[];
    const overlap =
      m!.x < k!.x + k!.width && k!.x < m!.x + m!.width && m!.y < k!.y + k!.height && k!.y < m!.y + m!.height;
    expect(overlap).toBe(false);
    expect(await p.locator('.list-pane').isVisible()).toBe(false);
    await card.getByRole('button', { name: 'Message' }).tap();
    await p.waitForSelector(`.chat[data-cid="${dm(A, B)}"] .composer textarea`);
    bob.assertClean();
  });
});
