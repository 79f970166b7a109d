import net from 'node:net';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { bombPng, gifJsPolyglot, jpegWithExif, noisePng } from './fixtures.js';
import { blobFiles, dbOf, fetchMedia, upload, uploadOne } from './helpers.js';

const CAP = 256 * 1024;
const QUOTA = 400 * 1024;

describe.each(testDialects())('hostile uploads on %s', (dialect) => {
  let s: TestServer;
  let alice: Awaited<ReturnType<typeof registerUser>>;
  beforeAll(async () => {
    s = await startServer({ dialect, config: { uploadLimit: CAP, userQuota: QUOTA } });
    alice = await registerUser(s.api, 'alice');
  });
  afterAll(async () => {
    await s?.close();
  });

  /** After every hostile upload: nothing half-written, and the server still answers. */
  afterEach(async () => {
    expect(blobFiles(s).temps).toEqual([]);
    expect((await s.api.get('/healthz')).status).toBe(200);
  });

  const expectRefused = (r: { status: number; body: any }, status: number, code: string) => {
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(r.body.error.code).toBe(code);
  };

  const mediaCount = async () =>
    Number(
      (
        await dbOf(s)
          .selectFrom('media')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('a file named ../../x.js is stored under a server-made name with a harmless display name', async () => {
    const r = await uploadOne(s, alice.token, Buffer.from('alert(document.cookie)\n'), '../../x.js');
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ kind: 'file', mime: 'text/plain; charset=utf-8', name: 'x.js.txt' });
    const got = await fetchMedia(s, r.body.url);
    expect(got.headers.get('content-disposition')).toMatch(/^attachment; filename="x\.js\.txt"/);
    expect(got.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(blobFiles(s).blobs).toContain(r.body.sha256);
  });

  it('HTML (or SVG) renamed to .png is refused', async () => {
    const before = await mediaCount();
    expectRefused(
      await uploadOne(s, alice.token, Buffer.from('<!DOCTYPE html><html><script>alert(1)</script></html>'), 'cat.png'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectRefused(
      await uploadOne(
        s,
        alice.token,
        Buffer.from('  <svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        'cat.svg',
      ),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectRefused(
      await uploadOne(s, alice.token, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0]), 'prog.png'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expect(await mediaCount()).toBe(before);
  });

  it('a .mov that is not QuickTime (markup, another ftyp brand) is refused', async () => {
    const before = await mediaCount();
    expectRefused(
      await uploadOne(s, alice.token, Buffer.from('<html><script>alert(1)</script></html>'), 'clip.mov'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    const cr3 = Buffer.concat([
      Buffer.from([0, 0, 0, 24]),
      Buffer.from('ftypcrx \0\0\0\x01crx isom', 'latin1'),
      Buffer.alloc(32),
    ]);
    expectRefused(await uploadOne(s, alice.token, cr3, 'clip.mov'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(await mediaCount()).toBe(before);
  });

  it('a GIF/JavaScript polyglot is re-encoded and loses its payload', async () => {
    const poly = await gifJsPolyglot();
    expect(poly.includes(Buffer.from('polyglot-payload'))).toBe(true);
    const r = await uploadOne(s, alice.token, poly, 'funny.gif');
    if (r.status === 201) {
      expect(r.body.mime).toBe('image/gif');
      const got = await fetchMedia(s, r.body.url);
      expect(got.body.includes(Buffer.from('polyglot-payload'))).toBe(false);
      expect(got.body.subarray(6, 8).toString('latin1')).not.toBe('/*');
      expect((await sharp(got.body).metadata()).format).toBe('gif');
    } else {
      expectRefused(r, 422, 'MEDIA_UNREADABLE');
    }
  });

  it('a 20000×20000 PNG is refused by the pixel limit before decoding', async () => {
    const bomb = bombPng(20_000);
    expect(bomb.length).toBeLessThan(CAP);
    expectRefused(await uploadOne(s, alice.token, bomb, 'bomb.png'), 413, 'IMAGE_TOO_LARGE');
  });

  it('a truncated JPEG is refused as unreadable', async () => {
    const jpeg = await jpegWithExif(400, 300);
    expectRefused(
      await uploadOne(s, alice.token, jpeg.subarray(0, Math.floor(jpeg.length / 2)), 'half.jpg'),
      422,
      'MEDIA_UNREADABLE',
    );
  });

  it('an empty file, no file, a JSON body, two files and a file in the wrong field are each refused', async () => {
    const before = await mediaCount();
    expectRefused(await uploadOne(s, alice.token, Buffer.alloc(0), 'empty.txt'), 400, 'EMPTY_FILE');
    expectRefused(await upload(s, alice.token, [], { durationMs: '10' }), 400, 'NO_FILE');
    expectRefused(await s.api.post('/api/v1/media', { file: 'aGVsbG8=' }, alice.token), 400, 'NO_FILE');
    expectRefused(
      await upload(s, alice.token, [
        { data: Buffer.from('one'), name: 'a.txt' },
        { data: Buffer.from('two'), name: 'b.txt' },
      ]),
      400,
      'TOO_MANY_FILES',
    );
    expectRefused(
      await upload(s, alice.token, [{ data: Buffer.from('one'), name: 'a.txt', field: 'attachment' }]),
      400,
      'BAD_REQUEST',
    );
    expect(await mediaCount()).toBe(before);
  });

  it('a malformed multipart body is a 400, not a crash', async () => {
    const post = (ct: string, body: string) =>
      fetch(`${s.url}/api/v1/media`, {
        method: 'POST',
        body,
        headers: { authorization: `Bearer ${alice.token}`, 'content-type': ct },
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const part = '--zz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhello';
    expectRefused(await post('multipart/form-data', 'no boundary at all'), 400, 'BAD_REQUEST');
    expectRefused(await post('multipart/form-data; boundary=zz', 'no parts in here'), 400, 'BAD_REQUEST');
    expectRefused(await post('multipart/form-data; boundary=zz', part), 400, 'BAD_REQUEST'); // never closed
    expectRefused(await post('text/plain', 'hello'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect((await post('multipart/form-data; boundary=zz', `${part}\r\n--zz--\r\n`)).status).toBe(201);
  });

  it('a file over the cap is refused with 413 and leaves nothing', async () => {
    const blobsBefore = blobFiles(s).blobs;
    const r = await uploadOne(s, alice.token, Buffer.alloc(CAP + 50_000, 'a'), 'big.txt');
    expectRefused(r, 413, 'PAYLOAD_TOO_LARGE');
    // Far over the cap too: the client still gets its answer.
    expectRefused(await uploadOne(s, alice.token, Buffer.alloc(16 * CAP, 'b'), 'huge.txt'), 413, 'PAYLOAD_TOO_LARGE');
    expect(blobFiles(s).blobs).toEqual(blobsBefore);
  });

  it('a client that disconnects mid-upload leaves no temp file behind', async () => {
    const sock = net.connect(Number(new URL(s.url).port), '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const b = 'b0undary';
    sock.write(
      `POST /api/v1/media HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${alice.token}\r\n` +
        `Content-Type: multipart/form-data; boundary=${b}\r\nContent-Length: 200000\r\n\r\n` +
        `--${b}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n${'a'.repeat(100_000)}`,
    );
    // Wait (bounded) until the server is writing the upload, then vanish.
    for (let i = 0; i < 100 && blobFiles(s).temps.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(blobFiles(s).temps).toHaveLength(1);
    sock.destroy();
    for (let i = 0; i < 250 && blobFiles(s).temps.length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(blobFiles(s).temps).toEqual([]);
  });

  it('an upload past the quota is refused, counting every upload of the user', async () => {
    const bob = await registerUser(s.api, 'bob');
    const first = await uploadOne(s, bob.token, await noisePng(200, 200), 'n1.png');
    expect(first.status).toBe(201);
    expect(first.body.size).toBeGreaterThan(QUOTA / 4);
    let used = first.body.size as number;
    for (;;) {
      const r = await uploadOne(s, bob.token, await noisePng(200, 200), 'n.png');
      if (r.status !== 201) {
        expectRefused(r, 413, 'QUOTA_EXCEEDED');
        break;
      }
      used += r.body.size;
      expect(used).toBeLessThanOrEqual(QUOTA);
    }
    // Someone else's quota is untouched.
    expect((await uploadOne(s, alice.token, Buffer.from('still fine'), 'ok.txt')).status).toBe(201);
  });
});
