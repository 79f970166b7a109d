import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { DESKTOP, Person, befriendViaUi, launchBrowser, startWebServer } from './harness.js';

/** Notes on the page how long the recorder really ran (what the client measures too). */
const MEASURE_RECORDER = () => {
  const w = window as unknown as { recordedMs?: number };
  const { start, stop } = MediaRecorder.prototype;
  let t0 = 0;
  MediaRecorder.prototype.start = function (this: MediaRecorder, ...a: [number?]) {
    t0 = performance.now();
    return start.apply(this, a);
  };
  MediaRecorder.prototype.stop = function (this: MediaRecorder) {
    w.recordedMs = performance.now() - t0;
    return stop.apply(this);
  };
};

/** Makes this page's recorder fall back to WebM/Opus (Chromium offers MP4 first otherwise). */
const NO_MP4 = () => {
  const offered = MediaRecorder.isTypeSupported.bind(MediaRecorder);
  MediaRecorder.isTypeSupported = (t: string) => !t.startsWith('audio/mp4') && offered(t);
};

const seconds = (shown: string) => {
  const [m, s] = shown.split(':').map(Number);
  return (m ?? 0) * 60 + (s ?? 0);
};

describe('web client: voice notes recorded by MediaRecorder show their length to both people', () => {
  let server: TestServer;
  let browser: Browser;
  let ann: Person;
  let bob: Person;

  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    ann = await Person.open(browser, server.url, 'Ann', DESKTOP);
    bob = await Person.open(browser, server.url, 'Bob', DESKTOP);
    await ann.ctx.addInitScript(MEASURE_RECORDER);
    await bob.ctx.addInitScript(MEASURE_RECORDER);
    await bob.ctx.addInitScript(NO_MP4);
    await ann.register();
    await bob.register();
    await befriendViaUi(ann, bob);
    await bob.page.locator(`.person[data-user="${ann.username}"] button[aria-label^="Chat with"]`).click();
    await bob.send('voice notes follow');
    await ann.openChat('Bob');
    await ann.message('voice notes follow').waitFor();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await Promise.all([ann, bob].map((p) => p.snap(ctx.task.name)));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function recordAndCheck(from: Person, to: Person, n: number) {
    await from.page.click('button[aria-label="Record a voice message"]');
    // Stop once the recorder's own clock reads 3 s (rounded), however slow the machine is.
    await from.page.locator('.rec-time', { hasText: '0:03' }).waitFor();
    await from.page.click('button[aria-label="Stop and send voice message"]');
    const recordedMs = await from.page.evaluate(() => (window as unknown as { recordedMs: number }).recordedMs);
    const stored = (p: Person) => p.page.locator('.msg-row[data-seq][data-kind="voice"]').nth(n);
    await stored(from).waitFor();
    await stored(to).waitFor();
    const shown = [
      await stored(from).locator('.voice-time').innerText(),
      await stored(to).locator('.voice-time').innerText(),
    ];
    // The same length for both, from the stored media (not the sender's own clock), and within
    // half a second of the recording (plus the display's rounding to whole seconds).
    expect(shown[0]).toBe(shown[1]);
    expect(shown[0]).not.toBe('0:00');
    expect(Math.abs(seconds(shown[0]!) * 1000 - recordedMs)).toBeLessThanOrEqual(1000);
    return shown[0];
  }

  it('an MP4 recording (fragmented, its movie header says 7 ms)', async () => {
    expect(await ann.page.evaluate(() => MediaRecorder.isTypeSupported('audio/mp4'))).toBe(true);
    await recordAndCheck(ann, bob, 0);
    ann.assertClean();
    bob.assertClean();
  });

  it('a WebM/Opus recording (no Segment Duration)', async () => {
    expect(await bob.page.evaluate(() => MediaRecorder.isTypeSupported('audio/mp4'))).toBe(false);
    await recordAndCheck(bob, ann, 1);
    ann.assertClean();
    bob.assertClean();
  });
});
