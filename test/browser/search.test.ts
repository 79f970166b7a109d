import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, registerUser } from '../support/server.js';
import { DESKTOP, PHONE, Person, launchBrowser, startWebServer } from './harness.js';

/** Whether the element is on screen inside its scrolling list (what "jumped to it" means). */
const onScreen = (l: Locator) =>
  l.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const box = el.closest('.messages')!.getBoundingClientRect();
    return r.height > 0 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
  });

describe.each([
  ['desktop', DESKTOP],
  ['phone', PHONE],
] as const)('web client, %s: message search', (label, size) => {
  let server: TestServer;
  let browser: Browser;
  let ann: Person;
  let dm = '';
  let gid = '';

  beforeAll(async () => {
    server = await startWebServer({ config: { messageRate: 10_000, messageBurst: 10_000 } });
    browser = await launchBrowser();
    const api = server.api;
    const a = await registerUser(api, 'Ann');
    const b = await registerUser(api, 'Bob');
    const r = await api.post('/api/v1/contacts/requests', { userId: b.user.id }, a.token);
    await api.post(`/api/v1/contacts/requests/${r.body.id}/accept`, {}, b.token);
    dm = a.user.id < b.user.id ? `dm:${a.user.id}:${b.user.id}` : `dm:${b.user.id}:${a.user.id}`;
    const g = await api.post('/api/v1/groups', { name: 'Trip', userIds: [b.user.id] }, a.token);
    gid = `g:${g.body.id}`;
    let n = 0;
    const send = async (cid: string, text: string) => {
      const s = await api.post(
        `/api/v1/conversations/${cid}/messages`,
        { clientId: `s${n++}`, kind: 'text', text },
        b.token,
      );
      if (s.status !== 201) throw new Error(JSON.stringify(s.body));
    };
    // The hit lies far behind the first page the chat loads, so opening it must load back to it.
    await send(dm, '我在北京工作');
    for (let i = 0; i < 150; i++) await send(dm, `filler line ${i}`);
    await send(gid, 'Café au lait demain?');
    ann = await Person.open(browser, server.url, 'Ann', size, { touch: label === 'phone' });
    await ann.signIn(a);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const press = (l: Locator) => (label === 'phone' ? l.tap() : l.click());

  it('finds CJK and accent-folded text from the chat list and jumps to the message', async () => {
    const page = ann.page;
    await ann.go('/');
    await page.getByRole('searchbox', { name: 'Search chats' }).fill('北京');
    const results = page.getByRole('list', { name: 'Search results' });
    const hit = results.getByRole('button').first();
    await hit.waitFor();
    expect(await results.getByRole('button').count()).toBe(1);
    expect(await hit.locator('mark').allInnerTexts()).toEqual(['北京']);
    expect(await hit.getAttribute('data-cid')).toBe(dm);
    await press(hit);
    const target = ann.message('我在北京工作');
    await target.waitFor({ timeout: 20_000 });
    await expect.poll(() => onScreen(target), { timeout: 10_000 }).toBe(true);
    expect(await target.getAttribute('class')).toContain('jumped');

    await ann.go('/');
    const box = page.getByRole('searchbox', { name: 'Search chats' });
    await box.fill('');
    await box.fill('CAFE');
    const cafe = page.getByRole('list', { name: 'Search results' }).getByRole('button').first();
    await cafe.waitFor();
    expect(await cafe.locator('mark').allInnerTexts()).toEqual(['Café']);
    expect(await cafe.getAttribute('data-cid')).toBe(gid);
    await press(cafe);
    await expect.poll(() => onScreen(ann.message('Café au lait demain?')), { timeout: 10_000 }).toBe(true);
  });

  it('searches within one chat only', async () => {
    const page = ann.page;
    await ann.go('/');
    await page.getByRole('searchbox', { name: 'Search chats' }).fill('');
    await ann.openChat('Trip');
    await press(page.getByRole('button', { name: 'Search this chat' }));
    const box = page.getByRole('searchbox', { name: 'Search in this chat' });
    await box.fill('北京');
    await page.getByText('No messages found').waitFor();
    await box.fill('lait');
    const hit = page.getByRole('list', { name: 'Search results' }).getByRole('button').first();
    await hit.waitFor();
    expect(await hit.locator('mark').allInnerTexts()).toEqual(['lait']);
    // The search bar sits between the header and the messages, over nothing.
    const bar = await page.locator('.chat-search').boundingBox();
    const head = await page.locator('.chat-head').boundingBox();
    const msgs = await page.locator('.messages').boundingBox();
    expect(bar!.y).toBeGreaterThanOrEqual(head!.y + head!.height - 1);
    expect(msgs!.y).toBeGreaterThanOrEqual(bar!.y + bar!.height - 1);
    await press(hit);
    await expect(page.locator('.chat-search').count()).resolves.toBe(0);
    await expect.poll(() => onScreen(ann.message('Café au lait demain?'))).toBe(true);
  });
});
