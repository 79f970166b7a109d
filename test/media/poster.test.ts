import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { mp4, pdf, solidPng } from './fixtures.js';
import { fetchMedia, upload } from './helpers.js';

describe.each(testDialects())('video posters on %s', (dialect) => {
  let s: TestServer;
  let alice: Awaited<ReturnType<typeof registerUser>>;
  beforeAll(async () => {
    s = await startServer({ dialect });
    alice = await registerUser(s.api, 'alice');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('a video uploaded with a poster image gets it as its thumbnail, in the media and in the entry', async () => {
    const poster = await solidPng(640, 360);
    const r = await upload(s, alice.token, [
      { data: mp4(4000), name: 'clip.mp4', type: 'video/mp4' },
      { data: poster, name: 'poster.png', type: 'image/png', field: 'poster' },
    ]);
    expect(r.status).toBe(201);
    expect(r.body.kind).toBe('video');
    expect(r.body.thumbUrl).toMatch(new RegExp(`^/media/${r.body.id}/thumb\\?`));
    const thumb = await fetchMedia(s, r.body.thumbUrl);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');

    // Sent as a video message, the entry says it has a poster and carries a signed thumbUrl.
    const g = await s.api.post('/api/v1/groups', { name: 'Clips' }, alice.token);
    const sent = await s.api.post(
      `/api/v1/conversations/g:${g.body.id}/messages`,
      { clientId: 'poster-test-1', kind: 'video', media: r.body.id },
      alice.token,
    );
    const hist = await s.api.get(`/api/v1/conversations/g:${g.body.id}/messages`, alice.token);
    const entry = hist.body.items.find((e: { kind: string }) => e.kind === 'video');
    expect(entry, JSON.stringify(sent.body)).toBeDefined();
    expect(entry.media.poster).toBe(true);
    expect(entry.media.thumbUrl).toMatch(new RegExp(`^/media/${r.body.id}/thumb\\?`));
  });

  it('a video without a poster has no thumbnail; a poster on a non-video or a non-image is refused', async () => {
    const plain = await upload(s, alice.token, [{ data: mp4(4000), name: 'clip.mp4', type: 'video/mp4' }]);
    expect(plain.status).toBe(201);
    expect(plain.body.thumbUrl).toBeNull();

    const png = await solidPng(64, 64);
    const onImage = await upload(s, alice.token, [
      { data: png, name: 'a.png', type: 'image/png' },
      { data: png, name: 'p.png', type: 'image/png', field: 'poster' },
    ]);
    expect(onImage.status).toBe(400);
    expect(onImage.body.error.code).toBe('VALIDATION_FAILED');

    const notImage = await upload(s, alice.token, [
      { data: mp4(4000), name: 'clip.mp4', type: 'video/mp4' },
      { data: pdf(), name: 'p.pdf', type: 'application/pdf', field: 'poster' },
    ]);
    expect(notImage.status).toBe(415);
    expect(notImage.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});
