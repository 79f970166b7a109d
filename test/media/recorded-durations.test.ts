import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadInspector } from '../../src/blobs/inspect-upload.js';
import { mp4DurationMs } from '../../src/blobs/mp4-duration.js';
import { webmDurationMs } from '../../src/blobs/webm-tracks.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { uploadOne } from './helpers.js';

// Real Chromium MediaRecorder output, 3.0 s each (see recordings/README.md).
const dir = path.resolve('test/media/recordings');
const M4A = path.join(dir, 'chromium-voice-3s.m4a');
const WEBM = path.join(dir, 'chromium-voice-3s.webm');
const RECORDED_MS = 3000;

describe('durations of real MediaRecorder recordings', () => {
  it('reads a fragmented MP4 from its fragments, not its 7 ms movie header', async () => {
    const ms = await mp4DurationMs(M4A);
    expect(Math.abs(ms! - RECORDED_MS)).toBeLessThanOrEqual(500);
  });

  it('reads a WebM without a Segment Duration from its last block', async () => {
    const ms = await webmDurationMs(WEBM);
    expect(Math.abs(ms! - RECORDED_MS)).toBeLessThanOrEqual(500);
  });

  it('measures a cut recording by what it holds, and gives up on a file with no blocks', async () => {
    const bytes = fs.readFileSync(WEBM);
    const half = path.join(dir, '..', `.half-${process.pid}.webm`);
    fs.writeFileSync(half, bytes.subarray(0, Math.floor(bytes.length / 2)));
    try {
      const ms = await webmDurationMs(half);
      expect(ms).toBeGreaterThan(1000);
      expect(ms).toBeLessThan(2000);
      fs.writeFileSync(half, bytes.subarray(0, 140)); // header and Tracks only
      expect(await webmDurationMs(half)).toBeUndefined();
    } finally {
      fs.rmSync(half, { force: true });
    }
  });

  it('classifies both as audio with the recorded length', async () => {
    const inspect = uploadInspector({ maxPixels: 50_000_000, maxEdge: 2560 });
    for (const file of [M4A, WEBM]) {
      const up = await inspect(file, fs.statSync(file).size);
      expect(up.kind, file).toBe('audio');
      expect(Math.abs(up.durationMs! - RECORDED_MS), file).toBeLessThanOrEqual(500);
    }
  });
});

describe.each(testDialects())('uploading real recordings on %s', (dialect) => {
  let s: TestServer;
  let alice: Awaited<ReturnType<typeof registerUser>>;
  beforeAll(async () => {
    s = await startServer({ dialect });
    alice = await registerUser(s.api, 'alice');
  });
  afterAll(async () => {
    await s?.close();
  });

  it("stores the container's length over a wrong client claim", async () => {
    for (const [file, name, mime] of [
      [M4A, 'voice.m4a', 'audio/mp4'],
      [WEBM, 'voice.webm', 'audio/webm'],
    ] as const) {
      const r = await uploadOne(s, alice.token, fs.readFileSync(file), name, { durationMs: '10' });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ kind: 'audio', mime });
      expect(Math.abs(r.body.durationMs - RECORDED_MS), name).toBeLessThanOrEqual(500);
    }
  });
});
