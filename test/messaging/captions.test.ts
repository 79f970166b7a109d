import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import type { Entry, ParleyClient } from '@parley/client';
import { mp4, solidPng } from '../media/fixtures.js';
import { uploadOne } from '../media/helpers.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { befriend } from '../support/social-fixtures.js';
import { connectClient, until } from '../support/ws-clients.js';

describe.each(testDialects())('captions on pictures and videos on %s', (dialect) => {
  let s: TestServer;
  const open: ParleyClient[] = [];
  beforeAll(async () => {
    s = await startServer({ dialect, config: { messageRate: 10_000, messageBurst: 10_000 } });
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await s?.close();
  });

  async function pair() {
    const a = await registerUser(s.api, 'a');
    const b = await registerUser(s.api, 'b');
    await befriend(s.app, a.user.id, b.user.id);
    return { a, b, dm: dmId(a.user.id, b.user.id) };
  }

  it('a caption sent over the socket reaches the peer live and comes back in history', async () => {
    const { a, b, dm } = await pair();
    const img = await uploadOne(s, a.token, await solidPng(40, 30), 'pic.png');
    expect(img.status).toBe(201);
    const vid = await uploadOne(s, a.token, mp4(2000), 'clip.mp4');
    expect(vid.status).toBe(201);
    expect(vid.body.kind).toBe('video');
    const ca = await connectClient(s.url, a.token);
    const cb = await connectClient(s.url, b.token);
    open.push(ca, cb);
    const seen: Entry[] = [];
    cb.on('message', (e) => seen.push(e));

    const caption = 'Sunset at the pier 🌅';
    const m1 = await ca.send({ to: dm, kind: 'image', media: img.body.id, caption });
    const long = 'é'.repeat(1024); // exactly at the bound, counted in characters
    const m2 = await ca.send({ to: dm, kind: 'video', media: vid.body.id, caption: long });
    await until(() => seen.length >= 2, 5000, 'live captions');
    expect(seen.map((e) => [e.seq, e.kind, e.caption])).toEqual([
      [m1.seq, 'image', caption],
      [m2.seq, 'video', long],
    ]);

    const h = await s.api.get(`/api/v1/conversations/${dm}/messages?after=0`, b.token);
    expect(h.status).toBe(200);
    const bySeq = new Map<number, Entry>(h.body.items.map((e: Entry) => [e.seq, e]));
    expect(bySeq.get(m1.seq)).toMatchObject({ kind: 'image', caption, media: { id: img.body.id } });
    expect(bySeq.get(m2.seq)).toMatchObject({ kind: 'video', caption: long });
  });

  it('REST sends take a caption; an over-long one is CAPTION_TOO_LONG and stores nothing', async () => {
    const { a, b, dm } = await pair();
    const img = await uploadOne(s, a.token, await solidPng(20, 20), 'p.png');
    const ok = await s.api.post(
      `/api/v1/conversations/${dm}/messages`,
      { clientId: 'cap-1', kind: 'image', media: img.body.id, caption: 'over REST' },
      a.token,
    );
    expect(ok.status).toBe(201);

    const tooLong = await s.api.post(
      `/api/v1/conversations/${dm}/messages`,
      { clientId: 'cap-2', kind: 'image', media: img.body.id, caption: 'x'.repeat(1025) },
      a.token,
    );
    expect(tooLong.status).toBe(413);
    expect(tooLong.body.error.code).toBe('CAPTION_TOO_LONG');

    // A caption belongs to a picture or a video only, and is never blank.
    for (const body of [
      { clientId: 'cap-3', kind: 'text', text: 'hi', caption: 'no' },
      { clientId: 'cap-4', kind: 'image', media: img.body.id, caption: '   ' },
    ]) {
      const r = await s.api.post(`/api/v1/conversations/${dm}/messages`, body, a.token);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
    }

    const h = await s.api.get(`/api/v1/conversations/${dm}/messages?after=0`, b.token);
    expect(h.body.items.map((e: Entry) => [e.kind, e.caption])).toEqual([['image', 'over REST']]);
  });

  it('over the socket an over-long caption is refused with CAPTION_TOO_LONG', async () => {
    const { a, dm } = await pair();
    const img = await uploadOne(s, a.token, await solidPng(20, 20), 'p.png');
    const ca = await connectClient(s.url, a.token);
    open.push(ca);
    await expect(
      ca.send({ to: dm, kind: 'image', media: img.body.id, caption: 'y'.repeat(5000) }),
    ).rejects.toMatchObject({ code: 'CAPTION_TOO_LONG' });
    // Nothing was stored: the first message that does go through gets seq 1.
    const next = await ca.send({ to: dm, kind: 'image', media: img.body.id, caption: 'short' });
    expect(next.seq).toBe(1);
  });
});
