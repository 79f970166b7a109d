import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Entry, ParleyClient } from '@parley/client';
import { dmId } from '../../src/domain/conversation-id.js';
import { mp4, oggOpus, pdf, solidPng } from '../media/fixtures.js';
import { dbOf, fetchMedia, uploadOne } from '../media/helpers.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { addMember, befriend, block, createGroup, muteMember } from '../support/social-fixtures.js';
import { connectClient, until } from '../support/ws-clients.js';

let n = 0;
const cid = () => `fw-${Date.now().toString(36)}-${n++}`;

describe.each(testDialects())('forwarding on %s', (dialect) => {
  let s: TestServer;
  const open: ParleyClient[] = [];
  beforeAll(async () => {
    s = await startServer({ dialect, config: { messageRate: 5, messageBurst: 30, recallWindow: 60_000 } });
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await s?.close();
  });
  const forward = (token: string, from: string, seq: number, targets: { to: string; clientId: string }[]) =>
    s.api.post(`/api/v1/conversations/${from}/messages/${seq}/forward`, { targets }, token);
  const send = async (token: string, to: string, body: Record<string, unknown>) => {
    const r = await s.api.post(`/api/v1/conversations/${to}/messages`, { clientId: cid(), ...body }, token);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.seq as number;
  };
  const history = async (token: string, c: string) =>
    (await s.api.get(`/api/v1/conversations/${c}/messages`, token)).body.items as Entry[];

  it('copies every forwardable kind to several targets, media by reference, idempotent per target', async () => {
    const a = await registerUser(s.api, 'alice');
    const b = await registerUser(s.api, 'bob');
    const c = await registerUser(s.api, 'carol');
    const d = await registerUser(s.api, 'dave');
    for (const u of [b, c, d]) await befriend(s.app, a.user.id, u.user.id);
    const src = dmId(a.user.id, b.user.id);
    const toC = dmId(a.user.id, c.user.id);
    const { cid: group } = await createGroup(s.app, a.user.id, [d.user.id]);

    const uploads = {
      image: await uploadOne(s, b.token, await solidPng(8, 8), 'dot.png'),
      voice: await uploadOne(s, b.token, oggOpus(800), 'note.ogg'),
      file: await uploadOne(s, b.token, pdf(), 'doc.pdf'),
      video: await uploadOne(s, b.token, mp4(900), 'clip.mp4'),
    };
    for (const u of Object.values(uploads)) expect(u.status, JSON.stringify(u.body)).toBe(201);
    const seqs = {
      text: await send(b.token, src, { kind: 'text', text: 'first words' }),
      image: await send(b.token, src, { kind: 'image', media: uploads.image.body.id }),
      voice: await send(b.token, src, { kind: 'voice', media: uploads.voice.body.id }),
      file: await send(b.token, src, { kind: 'file', media: uploads.file.body.id }),
      video: await send(b.token, src, { kind: 'video', media: uploads.video.body.id }),
      sticker: await send(b.token, src, { kind: 'sticker', data: { id: 'wave', pack: 'basic' } }),
    };
    // The latest text is forwarded, not the first.
    const cb = await connectClient(s.url, b.token);
    open.push(cb);
    await cb.edit(src, seqs.text, 'edited words');

    const live: Entry[] = [];
    const cd = await connectClient(s.url, d.token, 'json', {}, (x) => x.on('message', (e) => live.push(e)));
    open.push(cd);
    const blobsBefore = await dbOf(s).selectFrom('media').select('id').execute();

    for (const [kind, seq] of Object.entries(seqs)) {
      const targets = [
        { to: toC, clientId: `${kind}-c` },
        { to: group, clientId: `${kind}-g` },
      ];
      const r = await forward(a.token, src, seq, targets);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.items).toHaveLength(2);
      expect(r.body.items[0]).toMatchObject({ to: toC, ack: { conversation: toC, clientId: `${kind}-c` } });
      expect(r.body.items[1]).toMatchObject({ to: group, ack: { conversation: group, clientId: `${kind}-g` } });
      // The same request again: the same acks, nothing new stored.
      const again = await forward(a.token, src, seq, targets);
      expect(again.body.items).toEqual(r.body.items);
    }

    const inC = (await history(c.token, toC)).filter((e) => e.forwarded);
    expect(inC.map((e) => e.kind)).toEqual(['text', 'image', 'voice', 'file', 'video', 'sticker']);
    for (const e of inC) {
      expect(e.sender).toBe(a.user.id);
      expect(e.forwarded).toEqual({ from: b.user.id, name: 'bob' });
    }
    expect(inC[0]!.text).toBe('edited words');
    expect(inC[5]!.data).toEqual({ id: 'wave', pack: 'basic' });
    // No media record was copied; the same ids, shared into the targets, fetchable by their members.
    expect(await dbOf(s).selectFrom('media').select('id').execute()).toHaveLength(blobsBefore.length);
    for (const [i, kind] of (['image', 'voice', 'file', 'video'] as const).entries()) {
      const e = inC[i + 1]!;
      expect(e.media?.id).toBe(uploads[kind].body.id);
      const got = await fetchMedia(s, e.media!.url!);
      expect(got.status).toBe(200);
      const meta = await s.api.get(`/api/v1/media/${e.media!.id}`, d.token);
      expect(meta.status).toBe(200);
    }
    await until(() => live.filter((e) => e.forwarded).length === 6, 5000, 'group copies arrive live');
    expect(live.filter((e) => e.forwarded).map((e) => e.seq)).toEqual(
      (await history(d.token, group)).filter((e) => e.forwarded).map((e) => e.seq),
    );

    // Forwarding a copy keeps naming the first author.
    const copy = inC[0]!;
    const fromC = await forward(c.token, toC, copy.seq, [{ to: toC, clientId: 'copy-of-copy' }]);
    expect(fromC.body.items[0].ack).toBeDefined();
    const last = (await history(c.token, toC)).at(-1)!;
    expect(last).toMatchObject({
      sender: c.user.id,
      text: 'edited words',
      forwarded: { from: b.user.id, name: 'bob' },
    });
  });

  it('refuses recalled, unreadable and unforwardable messages and targets the user may not post in', async () => {
    const a = await registerUser(s.api, 'a');
    const b = await registerUser(s.api, 'b');
    const c = await registerUser(s.api, 'c');
    const stranger = await registerUser(s.api, 'stranger');
    await befriend(s.app, a.user.id, b.user.id);
    await befriend(s.app, a.user.id, c.user.id);
    const src = dmId(a.user.id, b.user.id);
    const toC = dmId(a.user.id, c.user.id);
    const { groupId, cid: group } = await createGroup(s.app, b.user.id, [a.user.id]);
    const { cid: notMine } = await createGroup(s.app, c.user.id, []);

    const text = await send(b.token, src, { kind: 'text', text: 'hello' });
    const link = await send(b.token, src, { kind: 'link', data: { url: 'https://example.com' } });
    const gone = await send(b.token, src, { kind: 'text', text: 'oops' });
    const cb = await connectClient(s.url, b.token);
    open.push(cb);
    await cb.recall(src, gone);

    const t = (to: string) => [{ to, clientId: cid() }];
    expect(await forward(a.token, src, gone, t(toC))).toMatchObject({
      status: 409,
      body: { error: { code: 'MESSAGE_RECALLED' } },
    });
    expect(await forward(a.token, src, link, t(toC))).toMatchObject({
      status: 400,
      body: { error: { code: 'NOT_FORWARDABLE' } },
    });
    expect(await forward(a.token, src, 999, t(toC))).toMatchObject({
      status: 404,
      body: { error: { code: 'MESSAGE_NOT_FOUND' } },
    });
    expect(await forward(stranger.token, src, text, t(dmId(stranger.user.id, a.user.id)))).toMatchObject({
      status: 403,
      body: { error: { code: 'FORBIDDEN' } },
    });
    // A group message from before the user joined is not theirs to read.
    const early = await send(b.token, group, { kind: 'text', text: 'before c' });
    await addMember(s.app, groupId, c.user.id);
    expect(await forward(c.token, group, early, t(toC))).toMatchObject({
      status: 404,
      body: { error: { code: 'MESSAGE_NOT_FOUND' } },
    });
    // Bad requests.
    expect((await forward(a.token, src, text, [])).status).toBe(400);
    const dup = [
      { to: toC, clientId: 'x1' },
      { to: toC, clientId: 'x2' },
    ];
    expect(await forward(a.token, src, text, dup)).toMatchObject({
      status: 400,
      body: { error: { code: 'VALIDATION_FAILED' } },
    });
    expect((await forward(a.token, src, text, [{ to: toC, clientId: 'bad id!' }])).status).toBe(400);

    // Per-target refusals: the other targets still get their copy.
    await muteMember(s.app, groupId, a.user.id, Date.now() + 60_000);
    const mixed = await forward(a.token, src, text, [
      { to: toC, clientId: cid() },
      { to: notMine, clientId: cid() },
      { to: group, clientId: cid() },
      { to: dmId(a.user.id, stranger.user.id), clientId: cid() },
    ]);
    expect(mixed.status).toBe(200);
    expect(mixed.body.items.map((x: { ack?: unknown; error?: { code: string } }) => x.error?.code ?? 'ok')).toEqual([
      'ok',
      'NOT_A_MEMBER',
      'MUTED',
      expect.stringMatching(/^(NOT_FRIENDS|CONVERSATION_NOT_FOUND)$/),
    ]);
  });

  it('names the original sender only when no block stands between them and the forwarder', async () => {
    const a = await registerUser(s.api, 'a');
    const b = await registerUser(s.api, 'blocker');
    const c = await registerUser(s.api, 'c');
    await befriend(s.app, a.user.id, c.user.id);
    const { cid: group } = await createGroup(s.app, b.user.id, [a.user.id]);
    const seq = await send(b.token, group, { kind: 'text', text: 'from b' });
    const own = await send(a.token, group, { kind: 'text', text: 'from a' });
    await block(s.app, b.user.id, a.user.id);
    const toC = dmId(a.user.id, c.user.id);
    await forward(a.token, group, seq, [{ to: toC, clientId: cid() }]);
    await forward(a.token, group, own, [{ to: toC, clientId: cid() }]);
    const [first, second] = (await history(c.token, toC)).slice(-2);
    expect(first).toMatchObject({ text: 'from b', forwarded: {} });
    expect(first!.forwarded).not.toHaveProperty('from');
    expect(JSON.stringify(first)).not.toContain(b.user.id);
    expect(second).toMatchObject({ text: 'from a', forwarded: { from: a.user.id, name: 'a' } });
  });

  it('keeps forwarded media visible to each target however widely it was shared', async () => {
    const a = await registerUser(s.api, 'a');
    const b = await registerUser(s.api, 'b');
    const c = await registerUser(s.api, 'c');
    await befriend(s.app, a.user.id, b.user.id);
    await befriend(s.app, a.user.id, c.user.id);
    const up = await uploadOne(s, a.token, await solidPng(6, 6), 'wide.png');
    const src = dmId(a.user.id, b.user.id);
    const seq = await send(a.token, src, { kind: 'image', media: up.body.id });
    // 1,200 other shares that sort before the target's (as if forwarded everywhere).
    const rows = Array.from({ length: 1200 }, (_, i) => ({ media_id: up.body.id, conversation_id: `a:${i}` }));
    for (let i = 0; i < rows.length; i += 200)
      await dbOf(s)
        .insertInto('media_shares')
        .values(rows.slice(i, i + 200))
        .execute();
    const toC = dmId(a.user.id, c.user.id);
    const r = await forward(a.token, src, seq, [{ to: toC, clientId: cid() }]);
    expect(r.body.items[0].ack).toBeDefined();
    expect((await s.api.get(`/api/v1/media/${up.body.id}`, c.token)).status).toBe(200);
    const stranger = await registerUser(s.api, 'nobody');
    expect((await s.api.get(`/api/v1/media/${up.body.id}`, stranger.token)).status).toBe(404);
  });

  it('is rate-limited like sends: one token per target', async () => {
    const a = await registerUser(s.api, 'a');
    const friends: Awaited<ReturnType<typeof registerUser>>[] = [];
    for (let i = 0; i < 10; i++) {
      const f = await registerUser(s.api, `f${i}`);
      await befriend(s.app, a.user.id, f.user.id);
      friends.push(f);
    }
    const src = dmId(a.user.id, friends[0]!.user.id);
    const seq = await send(a.token, src, { kind: 'text', text: 'spread' });
    const targets = () => friends.map((f) => ({ to: dmId(a.user.id, f.user.id), clientId: cid() }));
    const codes: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await forward(a.token, src, seq, targets());
      codes.push(...r.body.items.map((x: { error?: { code: string } }) => x.error?.code ?? 'ok'));
    }
    // A burst of 30 and 5 a second: of 40 copies asked at once, some are refused.
    expect(codes.filter((x) => x === 'ok').length).toBeLessThan(40);
    expect(codes).toContain('RATE_LIMITED');
    const limited = (await forward(a.token, src, seq, targets())).body.items.find(
      (x: { error?: { code: string; temporary?: boolean } }) => x.error?.code === 'RATE_LIMITED',
    );
    expect(limited.error.temporary).toBe(true);
  });
});
