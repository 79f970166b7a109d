// Records the voice-note fixtures of test/media/recordings/ in real Chromium (fake microphone),
// the way the web client records them: MediaRecorder with a 250 ms timeslice, for 3 seconds.
import fs from 'node:fs';
import http from 'node:http';
import { chromium } from 'playwright-core';

const OUT = 'test/media/recordings';
const SECONDS = 3;
const browser = await chromium.launch({
  executablePath: process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
});
// getUserMedia needs a secure context: a loopback page is one.
const server = http.createServer((_, res) => res.end('<!doctype html><title>rec</title>'));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
try {
  const page = await (await browser.newContext({ permissions: ['microphone'] })).newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  for (const [mime, name] of [
    ['audio/mp4', `chromium-voice-${SECONDS}s.m4a`],
    ['audio/webm;codecs=opus', `chromium-voice-${SECONDS}s.webm`],
  ]) {
    const out = await page.evaluate(
      async ({ mime, ms }) => {
        if (!MediaRecorder.isTypeSupported(mime)) return undefined;
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
        const rec = new MediaRecorder(stream, { mimeType: mime });
        const chunks = [];
        rec.ondataavailable = (e) => e.data.size && chunks.push(e.data);
        const stopped = new Promise((r) => {
          rec.onstop = r;
        });
        rec.start(250);
        await new Promise((r) => setTimeout(r, ms));
        rec.stop();
        await stopped;
        stream.getTracks().forEach((t) => t.stop());
        return [...new Uint8Array(await new Blob(chunks).arrayBuffer())];
      },
      { mime, ms: SECONDS * 1000 },
    );
    if (!out) {
      console.log(`${mime}: not offered by this Chromium`);
      continue;
    }
    fs.writeFileSync(`${OUT}/${name}`, Buffer.from(out));
    console.log(`${OUT}/${name}: ${out.length} bytes`);
  }
} finally {
  await browser.close();
  server.close();
}
