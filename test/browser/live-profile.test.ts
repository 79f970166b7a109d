import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { DESKTOP, PHONE, Person, befriendViaUi, launchBrowser, startWebServer } from './harness.js';

describe('web client: profile changes reach the other person without a reload', () => {
  let server: TestServer;
  let browser: Browser;
  let ann: Person;
  let bob: Person;

  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    ann = await Person.open(browser, server.url, 'Ann', DESKTOP);
    bob = await Person.open(browser, server.url, 'Bob', PHONE);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await Promise.all([ann, bob].map((p) => p.snap(ctx.task.name)));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("a new nickname and avatar show in the friend's open chat and chat list", async () => {
    await ann.register();
    await bob.register();
    await befriendViaUi(ann, bob);
    await ann.page.locator(`.person[data-user="${bob.username}"] button[aria-label^="Chat with"]`).click();
    await ann.send('hi Bob');
    await bob.openChat('Ann');
    await bob.message('hi Bob').waitFor();
    const head = bob.page.locator('.chat-head');

    await ann.go('/profile');
    await ann.page.fill('input[aria-label="Display name"]', 'Annabel');
    await ann.page.click('form[aria-label="Profile"] button[type=submit]');
    await head.locator('h2', { hasText: /^Annabel$/ }).waitFor();

    const png = await sharp({ create: { width: 200, height: 200, channels: 3, background: { r: 200, g: 40, b: 90 } } })
      .png()
      .toBuffer();
    await ann.page
      .locator('.profile-top input[type=file]')
      .setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: png });
    await bob.page.waitForFunction(() => {
      const i = document.querySelector<HTMLImageElement>('.chat-head .avatar img');
      return !!i && i.complete && i.naturalWidth > 0;
    });

    await bob.go('/');
    await bob.page.locator('.conv-title', { hasText: /^Annabel$/ }).waitFor();
    ann.assertClean();
    bob.assertClean();
  });
});
