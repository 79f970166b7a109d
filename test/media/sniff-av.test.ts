import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sniffFile } from '../../src/blobs/sniff.js';
import { WEBM_PREFIX, trackTypes } from '../../src/blobs/webm-tracks.js';
import { mp4, webmVoiceWithoutDuration } from './fixtures.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-sniff-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function sniff(bytes: Buffer) {
  const file = path.join(dir, `f${n++}`);
  fs.writeFileSync(file, bytes);
  return sniffFile(file);
}

const voice = webmVoiceWithoutDuration();
const live = webmVoiceWithoutDuration({ live: true });
const film = webmVoiceWithoutDuration({ video: true });

describe('WebM tracks', () => {
  it('reads the TrackType of every track, also from a live recording of unknown size', () => {
    expect(trackTypes(voice)).toEqual([2]);
    expect(trackTypes(live)).toEqual([2]);
    expect(trackTypes(film)).toEqual([1, 2]);
    expect(trackTypes(webmVoiceWithoutDuration({ video: true, live: true }))).toEqual([1, 2]);
  });

  it('gives up on a header cut anywhere before the end of its Tracks, on garbage, and past the prefix', async () => {
    const tracksEnd = live.indexOf(Buffer.from([0x1f, 0x43, 0xb6, 0x75]));
    for (let cut = 0; cut < tracksEnd; cut++)
      expect(trackTypes(live.subarray(0, cut)), `cut at ${cut}`).toBeUndefined();
    expect(trackTypes(live.subarray(0, tracksEnd))).toEqual([2]);
    expect(trackTypes(Buffer.alloc(64, 0xff))).toBeUndefined();
    expect(trackTypes(Buffer.alloc(64))).toBeUndefined();
    // A Void element that pushes the Tracks past the bytes read: unknown, not guessed.
    const header = voice.subarray(0, voice.indexOf(Buffer.from([0x18, 0x53, 0x80, 0x67])));
    const rest = live.subarray(header.length + 12); // after Segment ID + unknown size
    const pad = Buffer.concat([Buffer.from([0xec, 0x01, 0, 0, 0, 0, 0x01, 0, 0]), Buffer.alloc(WEBM_PREFIX)]);
    const far = Buffer.concat([
      header,
      Buffer.from([0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
      pad,
      rest,
    ]);
    expect(trackTypes(far)).toEqual([2]);
    expect(trackTypes(far.subarray(0, WEBM_PREFIX))).toBeUndefined();
    expect((await sniff(far))?.mime).toBe('video/webm');
  });

  it('sniffs an audio-only WebM as audio; a video, cut or unreadable one stays a video', async () => {
    const audio = { kind: 'audio', mime: 'audio/webm', ext: 'webm' };
    const video = { kind: 'video', mime: 'video/webm', ext: 'webm' };
    expect(await sniff(voice)).toEqual(audio);
    expect(await sniff(live)).toEqual(audio);
    expect(await sniff(film)).toEqual(video);
    expect(await sniff(live.subarray(0, live.length - 60))).toEqual(video);
    const garbage = Buffer.concat([
      voice.subarray(0, voice.indexOf(Buffer.from([0x18, 0x53, 0x80, 0x67]))),
      Buffer.alloc(200, 0x42),
    ]);
    expect(await sniff(garbage)).toEqual(video);
  });

  it('sniffs a QuickTime movie as video/quicktime', async () => {
    expect(await sniff(mp4(1000, 'qt  '))).toEqual({ kind: 'video', mime: 'video/quicktime', ext: 'mov' });
  });
});
