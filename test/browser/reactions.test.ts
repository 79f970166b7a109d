import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, registerUser } from '../support/server.js';
import { PHONE, Person, launchBrowser, startWebServer } from './harness.js';

const V = '/api/v1';
type U = Awaited<ReturnType<typeof registerUser>>;
const dm = (a: U, b: U) => (a.user.id < b.user.id ? `dm:${a.user.id}:${b.user.id}` : `dm:${b.user.id}:${a.user.id}`);

async function friends(server: TestServer, a: U, b: U) {
  const req = await server.api.post(`${V}/contacts/requests`, { userId: b.user.id }, a.token);
  await server.api.post(`${V}/contacts/requests/${req.body.id}/accept`, {}, b.token);
}

describe('web client: reactions', () => {
  let server: TestServer;
  let browser: Browser;
  let ann: Person;
  let bob: Person;
  let phone: Person;

  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    ann = await Person.open(browser, server.url, 'Ann');
    bob = await Person.open(browser, server.url, 'Bob');
    phone = await Person.open(browser, server.url, 'Pat', PHONE, { touch: true });
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') for (const p of [ann, bob, phone]) await p.snap(ctx.task.name);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('desktop: pick a reaction from the actions, see it live on the other side, toggle a chip, list who reacted', async () => {
    const a = await registerUser(server.api, 'Ann');
    const b = await registerUser(server.api, 'Bob');
    await friends(server, a, b);
    const r = await server.api.post(
      `${V}/conversations/${dm(a, b)}/messages`,
      { clientId: 'br-1', kind: 'text', text: 'Lunch at noon?' },
      b.token,
    );
    expect(r.status).toBe(201);
    await ann.signIn(a);
    await bob.signIn(b);
    await ann.openChat('Bob');
    await bob.openChat('Ann');

    const msgA = ann.message('Lunch at noon?');
    await msgA.locator('.bubble').hover();
    await msgA.getByRole('button', { name: 'React' }).click();
    await ann.page.getByRole('menuitem', { name: 'React with 👍' }).click();
    const chipA = msgA.locator('.reaction-chip[data-emoji="👍"]');
    await expect.poll(() => chipA.getAttribute('aria-pressed')).toBe('true');
    expect(await chipA.innerText()).toContain('1');

    // Bob sees it live, not pressed for him; a tap adds his.
    const chipB = bob.message('Lunch at noon?').locator('.reaction-chip[data-emoji="👍"]');
    await chipB.waitFor();
    expect(await chipB.getAttribute('aria-pressed')).toBe('false');
    await chipB.click();
    await expect.poll(() => chipB.getAttribute('aria-label')).toBe('👍 2, including you');
    await expect.poll(() => chipA.getAttribute('aria-label')).toBe('👍 2, including you');

    // Who reacted.
    await msgA.getByRole('button', { name: 'Who reacted' }).click();
    const list = ann.page.getByRole('list', { name: 'Who reacted' });
    await expect.poll(() => list.locator('.reactor-name').allInnerTexts()).toEqual(['Ann', 'Bob']);
    await ann.page.getByRole('button', { name: 'Close' }).click();

    // Ann's tap takes hers back; both sides show 1, not pressed for her.
    await chipA.click();
    await expect.poll(() => chipA.getAttribute('aria-label')).toBe('👍 1');
    await expect.poll(() => chipB.getAttribute('aria-label')).toBe('👍 1, including you');

    // After a reload the counts and my state come from history.
    await ann.reopen();
    await ann.openChat('Bob');
    const again = ann.message('Lunch at noon?').locator('.reaction-chip[data-emoji="👍"]');
    await expect.poll(() => again.getAttribute('aria-label')).toBe('👍 1');
    ann.assertClean();
    bob.assertClean();
  });

  it('phone: long-press opens the actions, a reaction is picked by touch, a chip tap removes it', async () => {
    const p = await registerUser(server.api, 'Pat');
    const q = await registerUser(server.api, 'Quinn');
    await friends(server, p, q);
    await server.api.post(
      `${V}/conversations/${dm(p, q)}/messages`,
      { clientId: 'br-2', kind: 'text', text: 'See you there' },
      q.token,
    );
    await phone.signIn(p);
    await phone.openChat('Quinn');
    const msg = phone.message('See you there');
    await phone.longPress(msg.locator('.bubble'), phone.page.locator('.msg-row.open'));
    await msg.getByRole('button', { name: 'React' }).tap();
    await phone.page.getByRole('menuitem', { name: 'React with ❤️' }).tap();
    const chip = msg.locator('.reaction-chip[data-emoji="❤️"]');
    await expect.poll(() => chip.getAttribute('aria-label')).toBe('❤️ 1, including you');
    // The chips fit the phone's width and do not cover the bubble.
    const [bubble, chips] = [await msg.locator('.bubble').boundingBox(), await msg.locator('.reactions').boundingBox()];
    expect(chips!.y).toBeGreaterThanOrEqual(bubble!.y + bubble!.height - 1);
    expect(chips!.x + chips!.width).toBeLessThanOrEqual(390);
    await chip.tap();
    await expect.poll(() => msg.locator('.reaction-chip').count()).toBe(0);
    phone.assertClean();
  });
});
