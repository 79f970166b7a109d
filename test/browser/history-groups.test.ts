import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { DESKTOP, Person, befriendViaUi, launchBrowser, startWebServer } from './harness.js';

async function tokenOf(p: Person): Promise<string> {
  return p.page.evaluate(() => JSON.parse(localStorage.getItem('parley.session') ?? '{}').token as string);
}

describe('web client: history, stickers, presence, joining groups', () => {
  let server: TestServer;
  let browser: Browser;
  let ann: Person;
  let bob: Person;

  beforeAll(async () => {
    server = await startWebServer({ config: { messageRate: 10_000, messageBurst: 10_000 } });
    browser = await launchBrowser();
    ann = await Person.open(browser, server.url, 'Ann', DESKTOP);
    bob = await Person.open(browser, server.url, 'Bob', DESKTOP);
    await ann.register();
    await bob.register();
    await befriendViaUi(ann, bob);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await Promise.all([ann, bob].map((p) => p?.snap(ctx.task.name)));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('scrolls back through history without the view jumping, each message once', async () => {
    const token = await tokenOf(bob);
    const annId = await ann.page.evaluate(
      () => JSON.parse(localStorage.getItem('parley.session') ?? '{}').userId as string,
    );
    const bobId = await bob.page.evaluate(
      () => JSON.parse(localStorage.getItem('parley.session') ?? '{}').userId as string,
    );
    const cid = annId < bobId ? `dm:${annId}:${bobId}` : `dm:${bobId}:${annId}`;
    for (let i = 1; i <= 110; i++) {
      const r = await server.api.post(
        `/api/v1/conversations/${cid}/messages`,
        { clientId: `h${i}`, kind: 'text', text: `history ${i}` },
        token,
      );
      expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    }
    // A fresh load: the page knows the conversation only by its summary and pages history in.
    await ann.page.reload();
    await ann.online();
    await ann.openChat('Bob');
    await ann.message(/^history 110$/).waitFor();
    expect(await ann.message(/^history 1$/).count()).toBe(0);

    // Scroll to the top: an older page loads above, and the message we were looking at stays put.
    const messages = ann.page.locator('.messages');
    for (let round = 0; round < 5 && (await ann.message(/^history 1$/).count()) === 0; round++) {
      const anchorText = (await ann.texts()).find((t) => /^history \d+$/.test(t))!;
      const anchor = ann.message(new RegExp(`^${anchorText}$`));
      await messages.evaluate((el) => {
        el.scrollTop = 0;
      });
      await ann.page.waitForFunction((t) => {
        const first = document.querySelector('.messages .msg-row[data-seq] .msg-text');
        return !!first && first.textContent !== t;
      }, anchorText);
      await ann.page.waitForTimeout(100);
      const top = (await anchor.boundingBox())!.y;
      // The older page went in above without moving what we were reading: the anchor is still
      // in view near the top (without anchoring it would be pushed a full page down, off screen).
      expect(top).toBeGreaterThan(0);
      expect(top).toBeLessThan(400);
    }
    await ann.page.locator('.history-edge', { hasText: 'beginning of the conversation' }).waitFor();
    const texts = (await ann.texts()).filter((t) => t.startsWith('history '));
    expect(texts).toEqual(Array.from({ length: 110 }, (_, i) => `history ${i + 1}`));
    ann.assertClean();
  });

  it('sends a sticker, and shows the friend online then offline', async () => {
    await ann.page.click('button[aria-label="Stickers"]');
    await ann.page.click('button[aria-label="Sticker love"]');
    await bob.openChat('Ann');
    const sticker = bob.page.locator('.msg-row[data-seq][data-kind="sticker"] img');
    await sticker.waitFor();
    expect(await sticker.getAttribute('src')).toBe('/stickers/love.svg');

    await ann.page.locator('.chat-head .presence[data-online="true"]').waitFor();
    // Closing Bob's only tab takes him offline; a new tab (same stored session) brings him back.
    await bob.page.close();
    await ann.page.locator('.chat-head .presence[data-online="false"]').waitFor();
    await bob.reopen();
    await ann.page.locator('.chat-head .presence[data-online="true"]').waitFor();
    ann.assertClean();
  });

  it('finds a group by name and asks to join; the owner approves the request', async () => {
    await ann.go('/groups');
    await ann.page.click('button:has-text("New group")');
    await ann.page.fill('.modal input[aria-label="Group name"]', 'Book club');
    await ann.page.selectOption('.modal select', 'approval');
    await ann.page.click('.modal button:has-text("Create group")');
    await ann.page.locator('[data-group-id] h2', { hasText: 'Book club' }).waitFor();

    await bob.go('/groups');
    await bob.page.click('button:has-text("Find")');
    await bob.page.fill('.modal input[aria-label="Group name or id"]', 'Book club');
    await bob.page.click('.modal button:has-text("Search")');
    await bob.page.click('.modal button:has-text("Ask to join")');
    await bob.page.click('.modal button:has-text("Send request")');
    await bob.page.locator('.toast', { hasText: 'Request sent' }).waitFor();

    await ann.page.reload();
    const req = ann.page.locator(`[data-request-user="${bob.username}"]`);
    await req.waitFor();
    await req.locator('button:has-text("Approve")').click();
    await ann.page.locator(`[data-member="${bob.username}"]`).waitFor();

    // Settings: the owner writes a notice; the new member sees it.
    await ann.page.fill('textarea[aria-label="Group notice"]', 'Next book: Dune');
    await ann.page.click('form[aria-label="Group settings"] button:has-text("Save")');
    await ann.page.locator('.toast', { hasText: 'Group settings saved' }).waitFor();
    await bob.go('/groups');
    await bob.page.locator('.person', { hasText: 'Book club' }).click();
    await bob.page.locator('.notice-card', { hasText: 'Next book: Dune' }).waitFor();
    ann.assertClean();
    bob.assertClean();
  });

  it('sets a remark that names the chat, and blocking stops messages with a visible failure', async () => {
    await ann.go('/contacts');
    const row = ann.page.locator(`.person[data-user="${bob.username}"]`);
    await row.locator('summary').click();
    await row.locator('button:has-text("Set remark")').click();
    await row.locator('input[aria-label="Remark"]').fill('Bobby (work)');
    await row.locator('button[aria-label="Save remark"]').click();
    await row.locator('strong', { hasText: 'Bobby (work)' }).waitFor();
    await ann.go('/');
    await ann.page.locator('.conv .conv-title', { hasText: 'Bobby (work)' }).waitFor();

    await ann.go('/contacts');
    await row.locator('summary').click();
    await row.locator('button:has-text("Block")').click();
    await ann.page.locator('section[aria-label="Blocked"] .person', { hasText: bob.nickname }).waitFor();

    // Bob's message is refused by the server and shows as not sent, with Retry and Discard.
    await bob.openChat('Ann');
    bob.allow = undefined;
    await bob.send('can you hear me?');
    const failed = bob.page.locator('.msg-row.pending[data-status="failed"]', { hasText: 'can you hear me?' });
    await failed.waitFor();
    await failed.locator('button:has-text("Discard")').click();
    await failed.waitFor({ state: 'detached' });

    await ann.page.locator('section[aria-label="Blocked"] button:has-text("Unblock")').click();
    await ann.page.locator('section[aria-label="Blocked"]').waitFor({ state: 'detached' });
    ann.assertClean();
    bob.assertClean();
  });
});
