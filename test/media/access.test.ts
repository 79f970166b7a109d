import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { dmId, groupConversationId } from '../../src/domain/conversation-id.js';
import { newId } from '../../src/domain/ids.js';
import { toEntry } from '../../src/services/entries-view.js';
import { addMediaShare } from '../../src/store/media.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { pdf, solidPng, wav } from './fixtures.js';
import { dbOf, fetchMedia, uploadOne } from './helpers.js';

const TTL = 6 * 3_600_000;

describe.each(testDialects())('media access and serving on %s', (dialect) => {
  let s: TestServer;
  let clock: ManualClock;
  let alice: Awaited<ReturnType<typeof registerUser>>;
  let bob: Awaited<ReturnType<typeof registerUser>>;
  let eve: Awaited<ReturnType<typeof registerUser>>;
  let pic: any;
  beforeAll(async () => {
    clock = new ManualClock(Date.now());
    s = await startServer({ dialect, clock, config: { mediaUrlTtl: TTL } });
    [alice, bob, eve] = [
      await registerUser(s.api, 'alice'),
      await registerUser(s.api, 'bob'),
      await registerUser(s.api, 'eve'),
    ];
    pic = (await uploadOne(s, alice.token, await solidPng(300, 200), 'private.png')).body;
  });
  afterAll(async () => {
    await s?.close();
  });

  const meta = (id: string, token: string) => s.api.get(`/api/v1/media/${id}`, token);

  it('a stranger gets 404 for the metadata and 403 for any URL without a valid signature', async () => {
    expect((await meta(pic.id, alice.token)).status).toBe(200);
    const m = await meta(pic.id, eve.token);
    expect(m.status).toBe(404);
    expect(m.body.error.code).toBe('MEDIA_NOT_FOUND');
    expect((await meta(newId(), alice.token)).body.error.code).toBe('MEDIA_NOT_FOUND');
    expect((await s.api.get(`/api/v1/media/${pic.id}`)).status).toBe(401);

    const bare = await fetchMedia(s, `/media/${pic.id}`);
    expect(bare.status).toBe(403);
    expect(JSON.parse(bare.body.toString()).error.code).toBe('MEDIA_URL_INVALID');
    const [, query] = pic.url.split('?');
    const sig = new URLSearchParams(query).get('s')!;
    const e = new URLSearchParams(query).get('e')!;
    const tampered = `${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const url of [
      `/media/${pic.id}?e=${e}&s=${tampered}`,
      `/media/${pic.id}?e=${Number(e) + 60}&s=${sig}`,
      `/media/${pic.id}/thumb?e=${e}&s=${sig}`,
      `/media/${newId()}?e=${e}&s=${sig}`,
      `/media/${pic.id}?e=${e}&s=${sig}&s=${sig}`,
    ]) {
      const r = await fetchMedia(s, url);
      expect(r.status, url).toBe(403);
      expect(JSON.parse(r.body.toString()).error.code).toBe('MEDIA_URL_INVALID');
    }
  });

  it('never writes a URL signature to the logs', async () => {
    const sig = new URL(pic.url, s.url).searchParams.get('s')!;
    expect((await fetchMedia(s, pic.url)).status).toBe(200);
    expect((await fetchMedia(s, `${pic.url.slice(0, -3)}abc`)).status).toBe(403);
    expect(s.logs.lines.length).toBeGreaterThan(0);
    expect(s.logs.text).not.toContain(sig);
  });

  it('signed URLs expire; the metadata route hands out fresh ones', async () => {
    const url = pic.url as string;
    expect((await fetchMedia(s, url)).status).toBe(200);
    clock.advance(TTL + 3_600_000);
    const old = await fetchMedia(s, url);
    expect(old.status).toBe(403);
    expect(JSON.parse(old.body.toString()).error.code).toBe('MEDIA_URL_EXPIRED');
    const fresh = await meta(pic.id, alice.token);
    expect(fresh.body.url).not.toBe(url);
    expect((await fetchMedia(s, fresh.body.url)).status).toBe(200);
    expect((await fetchMedia(s, fresh.body.thumbUrl)).status).toBe(200);
  });

  it('members of a conversation the media was sent in may see it, and lose it when they leave', async () => {
    const db = dbOf(s);
    const cid = dmId(alice.user.id, bob.user.id);
    expect((await meta(pic.id, bob.token)).status).toBe(404);
    await expect(s.app.services.media.resolve(bob.user.id, pic.id)).rejects.toMatchObject({ code: 'MEDIA_NOT_FOUND' });
    const now = clock.now();
    await db
      .insertInto('conversation_members')
      .values([
        {
          conversation_id: cid,
          user_id: alice.user.id,
          read_seq: 0,
          muted: 0,
          pinned: 0,
          joined_seq: 0,
          left_seq: null,
          updated_at: now,
        },
        {
          conversation_id: cid,
          user_id: bob.user.id,
          read_seq: 0,
          muted: 0,
          pinned: 0,
          joined_seq: 0,
          left_seq: null,
          updated_at: now,
        },
      ])
      .execute();
    expect((await meta(pic.id, bob.token)).status).toBe(404); // a member, but it was never sent there
    await db.transaction().execute(async (trx) => {
      await addMediaShare(trx, dialect, pic.id, cid);
      await addMediaShare(trx, dialect, pic.id, cid); // idempotent inside one transaction
    });
    const seen = await meta(pic.id, bob.token);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ id: pic.id, kind: 'image', width: 300, height: 200 });
    // Bob may forward it: the resolver hands out the reference, without URLs.
    const ref = await s.app.services.media.resolve(bob.user.id, pic.id);
    expect(ref).toEqual({
      id: pic.id,
      kind: 'image',
      mime: 'image/png',
      size: pic.size,
      name: 'private.png',
      width: 300,
      height: 200,
    });
    expect((await meta(pic.id, eve.token)).status).toBe(404);

    await db.updateTable('conversation_members').set({ left_seq: 5 }).where('user_id', '=', bob.user.id).execute();
    expect((await meta(pic.id, bob.token)).status).toBe(404);
  });

  it('group members see media sent to the group', async () => {
    const gid = newId();
    await addMediaShare(dbOf(s), dialect, pic.id, groupConversationId(gid));
    expect((await meta(pic.id, eve.token)).status).toBe(404);
    await dbOf(s)
      .insertInto('group_members')
      .values({ group_id: gid, user_id: eve.user.id, role: 'member', muted_until: null, joined_at: clock.now() })
      .execute();
    expect((await meta(pic.id, eve.token)).status).toBe(200);
    await dbOf(s).deleteFrom('group_members').where('group_id', '=', gid).execute();
    expect((await meta(pic.id, eve.token)).status).toBe(404);
  });

  it('message payloads get fresh signed URLs through the signer registered with the notifier', async () => {
    const row = {
      conversation_id: dmId(alice.user.id, bob.user.id),
      seq: 1,
      id: newId(),
      sender_id: alice.user.id,
      client_id: 'c1',
      kind: 'image',
      body: JSON.stringify({ media: await s.app.services.media.resolve(alice.user.id, pic.id) }),
      target_seq: null,
      created_at: clock.now(),
      edited_at: null,
      recalled_at: null,
    };
    const entry = toEntry(row, s.app.services.media.signer);
    expect(entry.media?.url).toMatch(/^\/media\/\w+\?e=\d+&s=/);
    expect((await fetchMedia(s, entry.media!.url!)).status).toBe(200);
    expect((await fetchMedia(s, entry.media!.thumbUrl!)).status).toBe(200);
  });

  it('serves with the stored type, nosniff, a sandbox CSP, private caching, ETag/304 and byte ranges', async () => {
    const audio = wav(2000);
    const up = (await uploadOne(s, alice.token, audio, 'memo.wav')).body;
    const full = await fetchMedia(s, up.url);
    expect(full.status).toBe(200);
    expect(full.body.equals(audio)).toBe(true);
    const h = full.headers;
    expect(h.get('content-type')).toBe('audio/wav');
    expect(h.get('x-content-type-options')).toBe('nosniff');
    expect(h.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(h.get('content-disposition')).toMatch(/^inline; filename="memo\.wav"/);
    expect(h.get('accept-ranges')).toBe('bytes');
    expect(h.get('etag')).toBe(`"${up.sha256}"`);
    const maxAge = Number(/^private, max-age=(\d+)$/.exec(h.get('cache-control')!)?.[1]);
    const expiry = Number(new URL(up.url, s.url).searchParams.get('e')) * 1000;
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge * 1000).toBeLessThanOrEqual(expiry - clock.now());

    const part = await fetchMedia(s, up.url, { range: 'bytes=100-199' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${audio.length}`);
    expect(part.headers.get('content-length')).toBe('100');
    expect(part.body.equals(audio.subarray(100, 200))).toBe(true);
    const tail = await fetchMedia(s, up.url, { range: 'bytes=-44' });
    expect(tail.status).toBe(206);
    expect(tail.body.equals(audio.subarray(audio.length - 44))).toBe(true);
    const open = await fetchMedia(s, up.url, { range: `bytes=${audio.length - 10}-` });
    expect(open.body.equals(audio.subarray(audio.length - 10))).toBe(true);
    const past = await fetchMedia(s, up.url, { range: `bytes=${audio.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${audio.length}`);
    const stale = await fetchMedia(s, up.url, { range: 'bytes=0-9', 'if-range': '"something-else"' });
    expect(stale.status).toBe(200);
    expect(stale.body.length).toBe(audio.length);

    const cached = await fetchMedia(s, up.url, { 'if-none-match': `"${up.sha256}"` });
    expect(cached.status).toBe(304);
    expect(cached.body.length).toBe(0);

    const head = await fetch(s.url + up.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(audio.length));

    const doc = (await uploadOne(s, alice.token, pdf(), 'doc.pdf')).body;
    const got = await fetchMedia(s, doc.url);
    expect(got.headers.get('content-type')).toBe('application/pdf');
    expect(got.headers.get('content-disposition')).toMatch(
      /^attachment; filename="doc\.pdf"; filename\*=UTF-8''doc\.pdf$/,
    );
  });

  it('an avatar must be an image the user uploaded; once set, any signed-in user may fetch it', async () => {
    const doc = (await uploadOne(s, bob.token, pdf(), 'cv.pdf')).body;
    const own = (await uploadOne(s, bob.token, await solidPng(64, 64, { r: 9, g: 9, b: 9 }), 'me.png')).body;
    const notMine = await s.api.patch('/api/v1/me', { avatar: pic.id }, bob.token);
    expect(notMine.status).toBe(404);
    expect(notMine.body.error.code).toBe('MEDIA_NOT_FOUND');
    const notImage = await s.api.patch('/api/v1/me', { avatar: doc.id }, bob.token);
    expect(notImage.status).toBe(415);
    expect((await s.api.patch('/api/v1/me', { avatar: newId() }, bob.token)).status).toBe(404);
    const reg = await s.api.post('/api/v1/auth/register', {
      username: `zed${Date.now().toString(36)}`,
      password: 'correct horse battery',
      nickname: 'z',
      avatar: own.id,
    });
    expect(reg.status).toBe(404);

    expect((await meta(own.id, eve.token)).status).toBe(404);
    const ok = await s.api.patch('/api/v1/me', { avatar: own.id }, bob.token);
    expect(ok.status).toBe(200);
    expect(ok.body.avatar).toBe(own.id);
    const seen = await meta(own.id, eve.token);
    expect(seen.status).toBe(200);
    expect((await fetchMedia(s, seen.body.thumbUrl)).status).toBe(200);
    expect((await s.api.patch('/api/v1/me', { avatar: null }, bob.token)).status).toBe(200);
    expect((await meta(own.id, eve.token)).status).toBe(404);

    // Even if another user's picture were stored as someone's avatar, it would not go public.
    await dbOf(s).updateTable('users').set({ avatar: pic.id }).where('id', '=', bob.user.id).execute();
    expect((await meta(pic.id, eve.token)).status).toBe(404);
    await dbOf(s).updateTable('users').set({ avatar: null }).where('id', '=', bob.user.id).execute();
  });

  it("a group avatar is public to signed-in users only when the group's owner or an admin uploaded it", async () => {
    const own = (await uploadOne(s, bob.token, await solidPng(48, 48, { r: 50, g: 9, b: 9 }), 'group.png')).body;
    const now = clock.now();
    const group = (id: string, avatar: string) => ({
      id,
      name: 'g',
      name_lc: 'g',
      avatar,
      notice: '',
      owner_id: bob.user.id,
      join_policy: 'open' as const,
      member_count: 1,
      created_at: now,
      updated_at: now,
      dissolved_at: null,
    });
    const [g1, g2] = [newId(), newId()];
    await dbOf(s)
      .insertInto('chat_groups')
      .values([group(g1, own.id), group(g2, pic.id)])
      .execute();
    await dbOf(s)
      .insertInto('group_members')
      .values(
        [g1, g2].map((g) => ({
          group_id: g,
          user_id: bob.user.id,
          role: 'owner' as const,
          muted_until: null,
          joined_at: now,
        })),
      )
      .execute();
    expect((await meta(own.id, eve.token)).status).toBe(200);
    expect((await meta(pic.id, eve.token)).status).toBe(404); // Alice's picture, Bob's group
    await dbOf(s).updateTable('chat_groups').set({ dissolved_at: now }).where('id', '=', g1).execute();
    expect((await meta(own.id, eve.token)).status).toBe(404);
  });
});
