import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import {
  animatedGif,
  docx,
  jpegWithExif,
  mp4,
  oggOpus,
  pdf,
  solidPng,
  wav,
  webmVoiceWithoutDuration,
  zip,
} from './fixtures.js';
import { blobFiles, dbOf, fetchMedia, uploadOne } from './helpers.js';

describe.each(testDialects())('media uploads on %s', (dialect) => {
  let s: TestServer;
  let alice: Awaited<ReturnType<typeof registerUser>>;
  let bob: Awaited<ReturnType<typeof registerUser>>;
  beforeAll(async () => {
    s = await startServer({ dialect });
    alice = await registerUser(s.api, 'alice');
    bob = await registerUser(s.api, 'bob');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('stores a 4000×3000 photo at 2560 px wide, EXIF stripped, orientation applied, with a WebP thumbnail', async () => {
    // Stored sideways (3000×4000) with EXIF orientation 6: displayed as 4000×3000.
    const photo = await jpegWithExif(3000, 4000, 6);
    const before = await sharp(photo).metadata();
    expect(before.exif).toBeDefined();
    expect(before.orientation).toBe(6);

    const r = await uploadOne(s, alice.token, photo, 'holiday.jpeg');
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      kind: 'image',
      mime: 'image/jpeg',
      width: 2560,
      height: 1920,
      name: 'holiday.jpeg',
      durationMs: null,
    });
    expect(r.body.id).toMatch(/^[0-9a-z]{26}$/);
    expect(r.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.body.url).toMatch(new RegExp(`^/media/${r.body.id}\\?e=\\d+&s=[\\w-]{43}$`));
    expect(r.body.thumbUrl).toMatch(new RegExp(`^/media/${r.body.id}/thumb\\?e=\\d+&s=[\\w-]{43}$`));

    const file = await fetchMedia(s, r.body.url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/jpeg');
    expect(file.body.length).toBe(r.body.size);
    const meta = await sharp(file.body).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 2560, height: 1920 });
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect(file.body.includes(Buffer.from('ParleyTestCam'))).toBe(false);
    expect(file.body.includes(Buffer.from('secret-owner-name'))).toBe(false);
    // The top (red) of the sideways original is now on the right, the bottom (blue) on the left.
    const { data, info } = await sharp(file.body).raw().toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => [
      ...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3),
    ];
    const [lr, , lb] = px(100, 960);
    const [rr, , rb] = px(2460, 960);
    expect(lb).toBeGreaterThan(200);
    expect(lr).toBeLessThan(60);
    expect(rr).toBeGreaterThan(200);
    expect(rb).toBeLessThan(60);

    const thumb = await fetchMedia(s, r.body.thumbUrl);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    const tm = await sharp(thumb.body).metadata();
    expect(tm.format).toBe('webp');
    expect(Math.max(tm.width!, tm.height!)).toBe(320);
    expect(tm.width).toBeGreaterThan(tm.height!);
  });

  it('stores the same picture once, however many times and by whom it is uploaded', async () => {
    const pic = await solidPng(640, 480);
    const a = await uploadOne(s, alice.token, pic, 'a.png');
    const before = blobFiles(s).blobs.length;
    const b = await uploadOne(s, bob.token, pic, 'b.png');
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.id).not.toBe(a.body.id);
    expect(b.body.sha256).toBe(a.body.sha256);
    expect(blobFiles(s).blobs.length).toBe(before);
    const rows = await dbOf(s).selectFrom('blobs').selectAll().where('sha256', '=', a.body.sha256).execute();
    expect(rows).toHaveLength(1);
    const media = await dbOf(s).selectFrom('media').select('id').where('sha256', '=', a.body.sha256).execute();
    expect(media.map((m) => m.id).sort()).toEqual([a.body.id, b.body.id].sort());
    expect(blobFiles(s).temps).toEqual([]);
  });

  it('never enlarges a small image and keeps PNG as PNG', async () => {
    const r = await uploadOne(s, alice.token, await solidPng(100, 50, { r: 1, g: 2, b: 3 }), 'tiny.png');
    expect(r.body).toMatchObject({ kind: 'image', mime: 'image/png', width: 100, height: 50 });
  });

  it('keeps WebP, AVIF and animated GIF in their formats, animation included', async () => {
    const base = () => sharp({ create: { width: 120, height: 80, channels: 3, background: { r: 10, g: 200, b: 90 } } });
    const webp = await uploadOne(s, alice.token, await base().webp().toBuffer(), 'a.webp');
    expect(webp.body).toMatchObject({ mime: 'image/webp', width: 120, height: 80 });
    const avif = await uploadOne(s, alice.token, await base().avif({ effort: 0 }).toBuffer(), 'a.avif');
    expect(avif.body).toMatchObject({ mime: 'image/avif', width: 120, height: 80 });
    expect((await sharp((await fetchMedia(s, avif.body.url)).body).metadata()).format).toBe('heif');
    const gif = await uploadOne(s, alice.token, await animatedGif(), 'anim.gif');
    expect(gif.body).toMatchObject({ mime: 'image/gif', width: 40, height: 30 });
    const stored = await sharp((await fetchMedia(s, gif.body.url)).body, { animated: true }).metadata();
    expect(stored.pages).toBe(3);
    expect(stored.pageHeight).toBe(30);
  });

  it('reads durations from WAV, MP4 and Ogg containers, and takes the client value only when the container has none', async () => {
    const w = await uploadOne(s, alice.token, wav(1500), 'note.wav', { durationMs: '999' });
    expect(w.status).toBe(201);
    expect(w.body).toMatchObject({ kind: 'audio', mime: 'audio/wav', durationMs: 1500, thumbUrl: null, width: null });
    const m = await uploadOne(s, alice.token, mp4(12_500), 'clip.mp4');
    expect(m.body).toMatchObject({ kind: 'video', mime: 'video/mp4', durationMs: 12_500 });
    const o = await uploadOne(s, alice.token, oggOpus(3000), 'voice.opus');
    expect(o.body).toMatchObject({ kind: 'audio', mime: 'audio/ogg', durationMs: 3000, name: 'voice.opus' });
    const v = await uploadOne(s, alice.token, webmVoiceWithoutDuration({ padBytes: 2000 }), 'rec.webm', {
      durationMs: '4200',
    });
    expect(v.body).toMatchObject({ kind: 'audio', mime: 'audio/webm', durationMs: 4200 });
    // ... but not past what the bytes could hold (2 kbit/s): a tiny file claiming an hour has none.
    const tall = await uploadOne(s, alice.token, webmVoiceWithoutDuration({ padBytes: 2000 }), 'tall.webm', {
      durationMs: '3600000',
    });
    expect(tall.body).toMatchObject({ kind: 'audio', durationMs: null });
    const film = await uploadOne(
      s,
      alice.token,
      webmVoiceWithoutDuration({ video: true, padBytes: 16_000 }),
      'film.webm',
      {
        durationMs: '61000',
      },
    );
    expect(film.body).toMatchObject({ kind: 'video', mime: 'video/webm', durationMs: 61_000, width: 320, height: 240 });
    const none = await uploadOne(s, alice.token, webmVoiceWithoutDuration(), 'rec2.webm');
    expect(none.body).toMatchObject({ kind: 'audio', durationMs: null });
    for (const bad of ['abc', '-5', '0', '1.5', '999999999']) {
      const r = await uploadOne(s, alice.token, webmVoiceWithoutDuration(), 'rec.webm', { durationMs: bad });
      expect(r.status, bad).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('stores a MediaRecorder voice note (audio-only WebM) as audio, a WebM with video as video, a QuickTime movie as video', async () => {
    const stored = async (id: string) =>
      dbOf(s).selectFrom('media').select(['kind', 'mime']).where('id', '=', id).executeTakeFirstOrThrow();
    const voice = await uploadOne(
      s,
      alice.token,
      webmVoiceWithoutDuration({ live: true, padBytes: 1000 }),
      'voice.webm',
      {
        durationMs: '3100',
      },
    );
    expect(voice.status).toBe(201);
    expect(voice.body).toMatchObject({
      kind: 'audio',
      mime: 'audio/webm',
      durationMs: 3100,
      name: 'voice.webm',
      width: null,
    });
    expect(await stored(voice.body.id)).toEqual({ kind: 'audio', mime: 'audio/webm' });
    expect((await fetchMedia(s, voice.body.url)).headers.get('content-type')).toBe('audio/webm');
    const timed = await uploadOne(s, alice.token, webmVoiceWithoutDuration({ durationMs: 2750 }), 'timed.webm', {
      durationMs: '10',
    });
    expect(timed.body).toMatchObject({ kind: 'audio', mime: 'audio/webm', durationMs: 2750 });
    const film = await uploadOne(s, alice.token, webmVoiceWithoutDuration({ live: true, video: true }), 'film.webm');
    expect(film.body).toMatchObject({ kind: 'video', mime: 'video/webm' });
    expect(await stored(film.body.id)).toEqual({ kind: 'video', mime: 'video/webm' });
    // Cut inside its Tracks: the sniffer cannot tell, so it stays what it was before (video).
    const cut = webmVoiceWithoutDuration({ live: true });
    const r = await uploadOne(
      s,
      alice.token,
      cut.subarray(0, cut.indexOf(Buffer.from([0x1f, 0x43, 0xb6, 0x75])) - 3),
      'cut.webm',
    );
    expect(r.status).toBe(201);
    expect(await stored(r.body.id)).toEqual({ kind: 'video', mime: 'video/webm' });
    const mov = await uploadOne(s, alice.token, mp4(7500, 'qt  '), 'clip.mov', { durationMs: '10' });
    expect(mov.status).toBe(201);
    expect(mov.body).toMatchObject({ kind: 'video', mime: 'video/quicktime', durationMs: 7500, name: 'clip.mov' });
    expect(await stored(mov.body.id)).toEqual({ kind: 'video', mime: 'video/quicktime' });
    const got = await fetchMedia(s, mov.body.url);
    expect(got.headers.get('content-type')).toBe('video/quicktime');
    expect(got.body.equals(mp4(7500, 'qt  '))).toBe(true);
  });

  it('accepts documents and plain text, downloaded as attachments with a safe name', async () => {
    const p = await uploadOne(s, alice.token, pdf(), 'Report; Q3 ünïcödé.pdf');
    expect(p.status).toBe(201);
    expect(p.body).toMatchObject({
      kind: 'file',
      mime: 'application/pdf',
      name: 'Report; Q3 ünïcödé.pdf',
      thumbUrl: null,
    });
    const got = await fetchMedia(s, p.body.url);
    expect(got.headers.get('content-disposition')).toBe(
      `attachment; filename="Report_ Q3 _n_c_d_.pdf"; filename*=UTF-8''${encodeURIComponent('Report; Q3 ünïcödé.pdf')}`,
    );
    const z = await uploadOne(s, alice.token, zip({ 'a.txt': 'hello' }), 'bundle.zip');
    expect(z.body).toMatchObject({ kind: 'file', mime: 'application/zip', name: 'bundle.zip' });
    const d = await uploadOne(s, alice.token, docx(), 'letter.docx');
    expect(d.body).toMatchObject({
      kind: 'file',
      mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      name: 'letter.docx',
    });
    const t = await uploadOne(s, alice.token, Buffer.from('plain words\nline two\n'), 'notes.md');
    expect(t.body).toMatchObject({ kind: 'file', mime: 'text/plain; charset=utf-8', name: 'notes.md' });
  });

  it('requires a session to upload', async () => {
    const r = await uploadOne(s, '', Buffer.from('x'), 'x.txt');
    expect(r.status).toBe(401);
  });
});
