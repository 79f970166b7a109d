import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, registerUser } from '../support/server.js';
import { DESKTOP, PHONE, Person, launchBrowser, startWebServer } from './harness.js';

/** A real WebM made by Chromium's MediaRecorder from an animated canvas (about a second long). */
async function recordClip(page: Page): Promise<Buffer> {
  const b64 = await page.evaluate(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 240;
    const g = canvas.getContext('2d')!;
    const rec = new MediaRecorder(canvas.captureStream(25), { mimeType: 'video/webm' });
    const parts: Blob[] = [];
    rec.ondataavailable = (e) => parts.push(e.data);
    const stopped = new Promise((r) => {
      rec.onstop = r;
    });
    rec.start(100);
    for (let i = 0; i < 25; i++) {
      g.fillStyle = `hsl(${i * 12}, 80%, 50%)`;
      g.fillRect(0, 0, 320, 240);
      await new Promise((r) => setTimeout(r, 40));
    }
    rec.stop();
    await stopped;
    const buf = new Uint8Array(await new Blob(parts, { type: 'video/webm' }).arrayBuffer());
    let s = '';
    for (const x of buf) s += String.fromCharCode(x);
    return btoa(s);
  });
  return Buffer.from(b64, 'base64');
}

describe('web client: a video message plays inline with a poster, desktop and phone', () => {
  let server: TestServer;
  let browser: Browser;
  let ann: Person;
  let bob: Person;

  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    ann = await Person.open(browser, server.url, 'Ann', DESKTOP);
    bob = await Person.open(browser, server.url, 'Bob', PHONE, { touch: true });
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await Promise.all([ann, bob].map((p) => p.snap(ctx.task.name)));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('sends kind video with a poster frame; both sides see the poster and can play it', async () => {
    const a = await registerUser(server.api, 'Ann');
    const b = await registerUser(server.api, 'Bob');
    const r = await server.api.post('/api/v1/contacts/requests', { userId: b.user.id }, a.token);
    await server.api.post(`/api/v1/contacts/requests/${r.body.id}/accept`, {}, b.token);
    await ann.signIn(a);
    await bob.signIn(b);
    await ann.chatWith(b.username);
    const clip = await recordClip(ann.page);
    await ann.page
      .locator('[data-testid="file-input"]')
      .setInputFiles({ name: 'clip.webm', mimeType: 'video/webm', buffer: clip });
    await ann.page.click('.composer button[aria-label="Send"]');
    await bob.chatWith(a.username);

    for (const p of [ann, bob]) {
      const video = p.page.locator('.msg-row[data-seq][data-kind="video"] video');
      await video.waitFor();
      expect(await video.getAttribute('poster')).toMatch(/\/media\/.+\/thumb/);
      expect(await video.getAttribute('src')).toMatch(/^\/media\//);
      // The poster is a real picture.
      const poster = (await video.getAttribute('poster'))!;
      const ok = await p.page.evaluate(async (u) => {
        const img = new Image();
        img.src = u;
        await img.decode();
        return img.naturalWidth > 0;
      }, poster);
      expect(ok).toBe(true);
      // It plays inline.
      await video.evaluate((v: HTMLVideoElement) => {
        v.muted = true;
        return v.play();
      });
      await p.page.waitForFunction(() => {
        const v = document.querySelector<HTMLVideoElement>('.msg-row[data-kind="video"] video');
        return !!v && v.currentTime > 0;
      });
    }
    ann.assertClean();
    bob.assertClean();
  });
});
