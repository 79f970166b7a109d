import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { DESKTOP, Person, befriendViaUi, launchBrowser, startWebServer } from './harness.js';

const dmTitle = (p: Person) => p.nickname;

describe('web client, desktop: two people chatting', () => {
  let server: TestServer;
  let browser: Browser;
  let ann: Person;
  let bob: Person;

  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    ann = await Person.open(browser, server.url, 'Ann', DESKTOP);
    bob = await Person.open(browser, server.url, 'Bob', DESKTOP);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await Promise.all([ann, bob].map((p) => p.snap(ctx.task.name)));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('registers both, befriends through the contacts screen, and the session survives a reload', async () => {
    await ann.register();
    await bob.register();
    await befriendViaUi(ann, bob);
    await ann.page.reload();
    await ann.page.waitForSelector('.shell');
    await ann.online();
    await ann.page.locator(`.person[data-user="${bob.username}"]`).waitFor();
    // No token in any URL the page has been at.
    expect(ann.page.url()).not.toMatch(/token/i);
    ann.assertClean();
    bob.assertClean();
  });

  it('chats both ways with typing, read receipts, reply, edit and recall', async () => {
    await ann.page.locator(`.person[data-user="${bob.username}"] button[aria-label^="Chat with"]`).click();
    await ann.page.waitForSelector('.chat .composer textarea');
    await ann.send('Hi Bob! 👋');
    await ann.message('Hi Bob!').waitFor();

    await bob.openChat(dmTitle(ann));
    await bob.message('Hi Bob!').waitFor();
    // Bob read it: Ann's tick turns into a read receipt.
    await ann.page.locator('.msg-row.mine [data-receipt="read"]').first().waitFor();

    // Typing shows on the other side.
    await bob.page.locator('.composer textarea').pressSequentially('Hello', { delay: 20 });
    await ann.page.locator('[data-testid="chat-subtitle"]', { hasText: 'typing' }).waitFor();
    await bob.page.locator('.composer textarea').fill('');

    // Shift+Enter makes a new line; Enter sends.
    const box = bob.page.locator('.composer textarea');
    await box.fill('Hello Ann');
    await box.press('Shift+Enter');
    await box.pressSequentially('second line');
    await box.press('Enter');
    await ann.message('second line').waitFor();
    expect(await ann.message('second line').locator('.msg-text').innerText()).toBe('Hello Ann\nsecond line');

    // Reply to Ann's first message.
    const first = bob.message('Hi Bob!');
    await first.hover();
    await first.locator('button[aria-label="Reply"]').click();
    await bob.send('Replying to you');
    const reply = ann.message('Replying to you');
    await reply.waitFor();
    expect(await reply.locator('.quote').innerText()).toContain('Hi Bob!');

    // Edit: Ann changes her text; Bob sees the new text marked edited.
    await ann.send('Lunch at noon?');
    await bob.message('Lunch at noon?').waitFor();
    const mine = ann.message('Lunch at noon?');
    await mine.hover();
    await mine.locator('button[aria-label="Edit"]').click();
    const editBox = ann.page.locator('.composer textarea');
    // The box shows the text to edit first (as the user sees it); filling before that render
    // landed would type into the old text.
    await ann.page.waitForFunction(
      () => document.querySelector<HTMLTextAreaElement>('.composer textarea')?.value === 'Lunch at noon?',
    );
    await editBox.fill('Lunch at one?');
    await editBox.press('Enter');
    await bob.message('Lunch at one?').locator('.edited').waitFor();
    expect(await bob.message('Lunch at noon?').count()).toBe(0);

    // Recall: Bob's message disappears on both sides.
    await bob.send('Oops, wrong chat');
    await ann.message('Oops, wrong chat').waitFor();
    const oops = bob.message('Oops, wrong chat');
    await oops.hover();
    await oops.locator('button[aria-label="Recall"]').click();
    // Recall asks first.
    await bob.page.click('.modal button:has-text("Recall")');
    await ann.page.locator('.msg-row[data-recalled="true"]').waitFor();
    await bob.page.locator('.msg-row[data-recalled="true"]').waitFor();
    expect(await ann.page.getByText('Oops, wrong chat').count()).toBe(0);

    // Every message shows exactly once on each side.
    for (const p of [ann, bob]) {
      const texts = await p.texts();
      for (const t of ['Hi Bob!', 'second line', 'Replying to you', 'Lunch at one?']) {
        expect(
          texts.filter((x) => x.includes(t)),
          `${p.nickname}: ${t}`,
        ).toHaveLength(1);
      }
    }
    ann.assertClean();
    bob.assertClean();
  });

  it('sends a picture (thumbnail on the other side, full size on click), a file and a voice note', async () => {
    const png = await sharp({ create: { width: 640, height: 400, channels: 3, background: { r: 80, g: 120, b: 220 } } })
      .png()
      .toBuffer();
    await ann.page
      .locator('[data-testid="image-input"]')
      .setInputFiles({ name: 'sky.png', mimeType: 'image/png', buffer: png });
    // Picked files wait in the composer (for a caption) until Send.
    await ann.page.click('.composer button[aria-label="Send"]');
    const img = bob.page.locator('.msg-row[data-kind="image"] img');
    await img.waitFor();
    await bob.page.waitForFunction(() => {
      const i = document.querySelector<HTMLImageElement>('.msg-row[data-kind="image"] img');
      return !!i && i.complete && i.naturalWidth > 0;
    });
    expect(await img.getAttribute('src')).toMatch(/\/media\/.+\/thumb/);
    await img.click();
    await bob.page.waitForFunction(() => {
      const i = document.querySelector<HTMLImageElement>('.lightbox-img');
      return !!i && i.complete && i.naturalWidth === 640;
    });
    await bob.page.keyboard.press('Escape');
    // The sender sees the stored picture too (not a stale preview), once.
    await ann.page.locator('.msg-row[data-seq][data-kind="image"] img').waitFor();
    expect(await ann.page.locator('.msg-row[data-kind="image"]').count()).toBe(1);

    await bob.page
      .locator('[data-testid="file-input"]')
      .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('meeting notes\n'.repeat(100)) });
    await bob.page.click('.composer button[aria-label="Send"]');
    const file = ann.page.locator('.msg-row[data-kind="file"]');
    await file.waitFor();
    expect(await file.locator('.file-name').innerText()).toBe('notes.txt');
    expect(await file.locator('.file-size').innerText()).toBe('1.4 KB');
    expect(await file.locator('a[download]').getAttribute('href')).toMatch(/^\/media\//);

    await ann.page.click('button[aria-label="Record a voice message"]');
    await ann.page.locator('.rec-time').waitFor();
    await ann.page.waitForTimeout(1200);
    await ann.page.click('button[aria-label="Stop and send voice message"]');
    const voice = bob.page.locator('.msg-row[data-kind="voice"]');
    await voice.waitFor();
    expect(await voice.locator('audio').getAttribute('src')).toMatch(/^\/media\//);
    await voice.locator('button[aria-label="Play voice message"]').click();
    await bob.page.waitForFunction(() => {
      const a = document.querySelector<HTMLAudioElement>('.msg-row[data-kind="voice"] audio');
      return !!a && a.currentTime > 0;
    });
    ann.assertClean();
    bob.assertClean();
  });

  it('pins and mutes a conversation from the list, with an unread badge while away', async () => {
    await bob.go('/contacts');
    await ann.send('Are you there?');
    await bob.go('/');
    const row = bob.page.locator('.conv', { hasText: 'Ann' });
    await row.locator('.badge').waitFor();
    await row.hover();
    await row.locator('button[aria-label="Conversation options"]').click();
    await bob.page.click('text=Pin to top');
    await row.locator('[aria-label="Pinned"], svg title:text("Pinned")').first().waitFor({ state: 'attached' });
    await row.locator('button[aria-label="Conversation options"]').click();
    await bob.page.click('text=Mute notifications');
    await row.locator('.badge.muted').waitFor();
    await bob.page.reload();
    await bob.page.locator('.conv', { hasText: 'Ann' }).locator('.badge.muted').waitFor();
    ann.assertClean();
    bob.assertClean();
  });
});
