import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, registerUser } from '../support/server.js';
import { PHONE, Person, launchBrowser, startWebServer } from './harness.js';

const V = '/api/v1';
type U = Awaited<ReturnType<typeof registerUser>>;
const dm = (a: U, b: U) => (a.user.id < b.user.id ? `dm:${a.user.id}:${b.user.id}` : `dm:${b.user.id}:${a.user.id}`);

async function chatWithMessages(server: TestServer, a: U, b: U, texts: string[]) {
  const req = await server.api.post(`${V}/contacts/requests`, { userId: b.user.id }, a.token);
  await server.api.post(`${V}/contacts/requests/${req.body.id}/accept`, {}, b.token);
  let i = 0;
  for (const text of texts) {
    const r = await server.api.post(
      `${V}/conversations/${dm(a, b)}/messages`,
      { clientId: `bp-${a.user.id}-${i++}`, kind: 'text', text },
      i % 2 ? a.token : b.token,
    );
    expect(r.status).toBe(201);
  }
}

describe('web client: pinned messages', () => {
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

  it('desktop: pin from the actions; both see the line and the pinned bar, which jumps to the message', async () => {
    const a = await registerUser(server.api, 'Ann');
    const b = await registerUser(server.api, 'Bob');
    const texts = Array.from({ length: 30 }, (_, i) => (i === 0 ? 'The address is 5 Main St' : `filler ${i}`));
    await chatWithMessages(server, a, b, texts);
    await ann.signIn(a);
    await bob.signIn(b);
    await ann.openChat('Bob');
    await bob.openChat('Ann');

    const target = ann.message('The address is 5 Main St');
    await target.scrollIntoViewIfNeeded();
    await target.locator('.bubble').hover();
    await target.getByRole('button', { name: 'Pin' }).click();
    await ann.page.locator('.pin-line', { hasText: 'You pinned a message' }).waitFor();
    await bob.page.locator('.pin-line', { hasText: 'Ann pinned a message' }).waitFor();
    for (const p of [ann, bob]) {
      const bar = p.page.getByTestId('pinned-bar');
      await expect.poll(() => bar.innerText()).toContain('The address is 5 Main St');
    }
    // Bob is at the bottom; the bar brings the pinned message into view.
    const bobTarget = bob.message('The address is 5 Main St');
    await bob.page.getByTestId('pinned-bar').click();
    await expect.poll(() => bobTarget.evaluate((el) => el.classList.contains('flash'))).toBe(true);
    await expect.poll(() => bobTarget.isVisible()).toBe(true);
    const [bar, messages] = [
      await bob.page.getByTestId('pinned-bar').boundingBox(),
      await bob.page.locator('.messages').boundingBox(),
    ];
    expect(bar!.y + bar!.height).toBeLessThanOrEqual(messages!.y + 1);

    // Unpin: the bar goes away on both sides.
    await target.locator('.bubble').hover();
    await target.getByRole('button', { name: 'Unpin' }).click();
    await ann.page.locator('.pin-line', { hasText: 'You unpinned a message' }).waitFor();
    await expect.poll(() => bob.page.getByTestId('pinned-bar').count()).toBe(0);
    ann.assertClean();
    bob.assertClean();
  });

  it('desktop: the pinned bar jumps to a message older than what the chat has loaded', async () => {
    const a = await registerUser(server.api, 'Ada');
    const b = await registerUser(server.api, 'Ben');
    // 60 from two senders: past the first page (40), within each sender's burst.
    const texts = Array.from({ length: 60 }, (_, i) => (i === 0 ? 'Wifi password: hunter2' : `chatter ${i}`));
    await chatWithMessages(server, a, b, texts);
    const r = await server.api.post(`${V}/conversations/${dm(a, b)}/pins`, { clientId: 'pin-far', seq: 1 }, a.token);
    expect(r.status).toBe(201);
    await bob.signIn(b);
    await bob.openChat('Ada');
    const target = bob.message('Wifi password: hunter2');
    expect(await target.count()).toBe(0); // not in the first page of history
    const bar = bob.page.getByTestId('pinned-bar');
    await expect.poll(() => bar.innerText().catch(() => '')).toContain('Wifi password: hunter2');
    await bar.click();
    await expect.poll(() => target.evaluate((el) => el.classList.contains('flash')).catch(() => false)).toBe(true);
    await expect.poll(() => target.isVisible()).toBe(true);
    bob.assertClean();
  });

  it('phone: long-press offers Pin; the bar fits the header width and a tap on it jumps', async () => {
    const p = await registerUser(server.api, 'Pat');
    const q = await registerUser(server.api, 'Quinn');
    await chatWithMessages(server, p, q, ['Gate code 4711', 'ok', 'thanks']);
    await phone.signIn(p);
    await phone.openChat('Quinn');
    const msg = phone.message('Gate code 4711');
    await phone.longPress(msg.locator('.bubble'), phone.page.locator('.msg-row.open'));
    await msg.getByRole('button', { name: 'Pin' }).tap();
    const bar = phone.page.getByTestId('pinned-bar');
    await expect.poll(() => bar.innerText().catch(() => '')).toContain('Gate code 4711');
    const box = await bar.boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    await bar.tap();
    await expect.poll(() => msg.evaluate((el) => el.classList.contains('flash'))).toBe(true);
    phone.assertClean();
  });
});
