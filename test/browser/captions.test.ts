import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, registerUser } from '../support/server.js';
import { DESKTOP, PHONE, Person, launchBrowser, startWebServer } from './harness.js';

describe('web client: a picture carries a caption typed in the composer, desktop and phone', () => {
  let server: TestServer;
  let browser: Browser;
  let ann: Person;
  let bob: Person;

  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    ann = await Person.open(browser, server.url, 'Ann', DESKTOP);
    bob = await Person.open(browser, server.url, 'Bob', PHONE, { touch: true });
    const a = await registerUser(server.api, 'Ann');
    const b = await registerUser(server.api, 'Bob');
    const r = await server.api.post('/api/v1/contacts/requests', { userId: b.user.id }, a.token);
    await server.api.post(`/api/v1/contacts/requests/${r.body.id}/accept`, {}, b.token);
    await ann.signIn(a);
    await bob.signIn(b);
    await ann.chatWith(b.username);
    await bob.chatWith(a.username);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await Promise.all([ann, bob].map((p) => p.snap(ctx.task.name)));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('a picked picture waits in the tray; the typed text goes under it for both people', async () => {
    const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 200, g: 90, b: 40 } } })
      .png()
      .toBuffer();
    await ann.page
      .locator('[data-testid="image-input"]')
      .setInputFiles({ name: 'pier.png', mimeType: 'image/png', buffer: png });
    const tray = ann.page.getByRole('list', { name: 'Files to send' });
    await tray.locator('img').waitFor();
    // Nothing is sent before Send: the caption can still be typed.
    expect(await ann.page.locator('.msg-row[data-kind="image"]').count()).toBe(0);
    const box = ann.page.getByRole('textbox', { name: 'Message' });
    expect(await box.getAttribute('placeholder')).toBe('Add a caption');
    await box.fill('Sunset at the pier');
    await box.press('Enter');
    await tray.waitFor({ state: 'detached' });

    for (const p of [ann, bob]) {
      const row = p.page.locator('.msg-row[data-seq][data-kind="image"]');
      await row.locator('img').waitFor();
      await expect.poll(() => row.locator('[data-testid="caption"]').innerText()).toBe('Sunset at the pier');
      // The caption sits under the picture, not over it.
      const img = (await row.locator('img').boundingBox())!;
      const cap = (await row.locator('[data-testid="caption"]').boundingBox())!;
      expect(cap.y).toBeGreaterThanOrEqual(img.y + img.height - 1);
    }
    // Sent once, as one message: no separate text message with the caption.
    expect(await bob.page.locator('.msg-row[data-seq]').count()).toBe(1);
    // The chat list says what the photo is about.
    await expect
      .poll(() => bob.page.locator('.conv .conv-preview').first().innerText())
      .toContain('Photo: Sunset at the pier');

    // The phone user (touch) captions too; a staged picture can be taken out again.
    await bob.page.locator('[data-testid="image-input"]').setInputFiles([
      { name: 'one.png', mimeType: 'image/png', buffer: png },
      { name: 'two.png', mimeType: 'image/png', buffer: png },
    ]);
    const bobTray = bob.page.getByRole('list', { name: 'Files to send' });
    await expect.poll(() => bobTray.locator('li').count()).toBe(2);
    await bob.page.getByRole('button', { name: 'Remove two.png' }).tap();
    await expect.poll(() => bobTray.locator('li').count()).toBe(1);
    await bob.page.getByRole('textbox', { name: 'Message' }).fill('From my phone');
    await bob.page.getByRole('button', { name: 'Send', exact: true }).tap();
    for (const p of [ann, bob]) {
      await expect
        .poll(() => p.page.locator('.msg-row[data-seq][data-kind="image"] [data-testid="caption"]').allInnerTexts())
        .toEqual(['Sunset at the pier', 'From my phone']);
    }
    // History (a reload) keeps the captions.
    await bob.reopen();
    await bob.chatWith(ann.username);
    await expect
      .poll(() => bob.page.locator('.msg-row[data-seq][data-kind="image"] [data-testid="caption"]').allInnerTexts())
      .toEqual(['Sunset at the pier', 'From my phone']);
    ann.assertClean();
    bob.assertClean();
  });

  it('a caption over 1,024 characters is not sent, and the user is told why', async () => {
    const png = await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: 0, g: 0, b: 0 } } })
      .png()
      .toBuffer();
    await ann.page
      .locator('[data-testid="image-input"]')
      .setInputFiles({ name: 'dot.png', mimeType: 'image/png', buffer: png });
    const before = await ann.page.locator('.msg-row[data-seq]').count();
    const box = ann.page.getByRole('textbox', { name: 'Message' });
    await box.fill('x'.repeat(1100));
    await box.press('Enter');
    await ann.page.getByRole('alert').filter({ hasText: 'A caption can be at most 1,024 characters' }).waitFor();
    expect(await ann.page.getByRole('list', { name: 'Files to send' }).locator('li').count()).toBe(1);
    expect(await ann.page.locator('.msg-row').count()).toBe(before);
    await ann.page.getByRole('button', { name: 'Remove dot.png' }).click();
    await box.fill('');
    ann.assertClean();
  });
});
