import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import type { ParleyClient, Entry, SyncDoneFrame } from '@parley/client';
import { solidPng } from '../media/fixtures.js';
import { uploadOne } from '../media/helpers.js';
import { testDialects } from '../support/databases.js';
import { DeliveryChecker } from '../support/delivery-checker.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { befriend, createGroup, setRole } from '../support/social-fixtures.js';
import { RawSocket, connectClient, until } from '../support/ws-clients.js';

describe.each(testDialects())('messaging features on %s', (dialect) => {
  let s: TestServer;
  const open: ParleyClient[] = [];
  beforeAll(async () => {
    s = await startServer({
      dialect,
      config: { messageRate: 10_000, messageBurst: 10_000, typingThrottle: 60_000, recallWindow: 60_000 },
    });
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await s?.close();
  });
  const connect = async (token: string, codec: 'json' | 'msgpack' = 'json', before?: (c: ParleyClient) => void) => {
    const c = await connectClient(s.url, token, codec, {}, before);
    open.push(c);
    return c;
  };

  it.each(['json', 'msgpack'] as const)('receipts, typing and presence (%s)', async (codec) => {
    const a = await registerUser(s.api, 'a');
    const b = await registerUser(s.api, 'b');
    await befriend(s.app, a.user.id, b.user.id);
    const dm = dmId(a.user.id, b.user.id);
    const presence: { userId: string; online: boolean }[] = [];
    const ca = await connect(a.token, codec, (c) => c.on('presence', (p) => presence.push(p)));
    // B's first device: A sees B online once; a second device adds no event; B going fully away: offline once.
    const cb1 = await connect(b.token, codec);
    await until(() => presence.some((p) => p.userId === b.user.id && p.online), 5000, 'online');
    const cb2 = await connect(b.token, codec);
    expect(cb2.state).toBe('online');
    cb1.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(presence.filter((p) => p.userId === b.user.id)).toEqual([
      { type: 'presence', userId: b.user.id, online: true },
    ]);
    cb2.close();
    await until(() => presence.some((p) => p.userId === b.user.id && !p.online), 5000, 'offline');

    const cb = await connect(b.token, codec);
    const typing: string[] = [];
    const ownTyping: string[] = [];
    cb.on('typing', (t) => typing.push(t.userId));
    ca.on('typing', (t) => ownTyping.push(t.userId));
    ca.typing(dm);
    ca.typing(dm); // throttled
    await until(() => typing.length >= 1, 5000, 'typing');
    await new Promise((r) => setTimeout(r, 100));
    expect(typing).toEqual([a.user.id]);
    expect(ownTyping).toEqual([]);

    const receipts: { userId: string; seq: number }[] = [];
    ca.on('receipt', (r) => receipts.push(r));
    const ack1 = await ca.send({ to: dm, kind: 'text', text: 'one' });
    const ack2 = await ca.send({ to: dm, kind: 'text', text: 'two' });
    cb.read(dm, ack2.seq);
    cb.read(dm, ack1.seq); // never moves backwards
    await until(() => receipts.length >= 2, 5000, 'receipts');
    expect(receipts[0]).toMatchObject({ userId: b.user.id, seq: ack2.seq });
    expect(receipts[1]).toMatchObject({ userId: b.user.id, seq: ack2.seq });
    const list = await s.api.get('/api/v1/conversations', b.token);
    expect(list.body.items.find((x: any) => x.id === dm)).toMatchObject({
      readSeq: ack2.seq,
      unread: 0,
      maxSeq: ack2.seq,
      peer: a.user.id,
      peerReadSeq: 0,
    });
  });

  it("DM summaries carry the peer's read position (REST list, PATCH reply, sync.done); groups do not", async () => {
    const a = await registerUser(s.api, 'a');
    const b = await registerUser(s.api, 'b');
    await befriend(s.app, a.user.id, b.user.id);
    const dm = dmId(a.user.id, b.user.id);
    const { cid: gid } = await createGroup(s.app, a.user.id, [b.user.id]);
    const ca = await connect(a.token);
    await ca.send({ to: dm, kind: 'text', text: 'one' });
    const ack = await ca.send({ to: dm, kind: 'text', text: 'two' });
    await ca.send({ to: gid, kind: 'text', text: 'g' });
    expect((await s.api.post(`/api/v1/conversations/${dm}/read`, { seq: ack.seq }, b.token)).status).toBe(200);
    expect((await s.api.post(`/api/v1/conversations/${gid}/read`, { seq: 2 }, b.token)).status).toBe(200);

    const mine = (await s.api.get('/api/v1/conversations', a.token)).body.items;
    expect(mine.find((x: any) => x.id === dm)).toMatchObject({ peer: b.user.id, readSeq: 0, peerReadSeq: ack.seq });
    expect(mine.find((x: any) => x.id === gid)).not.toHaveProperty('peerReadSeq');
    const theirs = (await s.api.get('/api/v1/conversations', b.token)).body.items;
    expect(theirs.find((x: any) => x.id === dm)).toMatchObject({ readSeq: ack.seq, peerReadSeq: 0 });
    const patched = await s.api.patch(`/api/v1/conversations/${dm}`, { pinned: true }, a.token);
    expect(patched.body).toMatchObject({ id: dm, pinned: true, peerReadSeq: ack.seq });
    expect((await s.api.patch(`/api/v1/conversations/${gid}`, { pinned: true }, a.token)).body).not.toHaveProperty(
      'peerReadSeq',
    );

    // A new device learns it from sync.done's summaries of the conversations it did not list.
    const raw = await RawSocket.open(s.url, { token: a.token });
    await raw.next((f) => f.type === 'ready');
    raw.send({ type: 'sync' });
    const done = await raw.next<SyncDoneFrame>((f) => f.type === 'sync.done');
    raw.close();
    expect(done.conversations.find((x) => x.id === dm)).toMatchObject({ peerReadSeq: ack.seq });
    expect(done.conversations.find((x) => x.id === gid)).not.toHaveProperty('peerReadSeq');
  });

  it('recall, edit, mentions, replies and admin recall in a group', async () => {
    const a = await registerUser(s.api, 'a');
    const b = await registerUser(s.api, 'b');
    const c = await registerUser(s.api, 'c');
    const { cid, groupId } = await createGroup(s.app, a.user.id, [b.user.id, c.user.id]);
    const checker = new DeliveryChecker();
    const seen: Entry[] = [];
    const ca = await connect(a.token, 'json', (x) => checker.attach('a', a.user.id, x));
    const cb = await connect(b.token, 'msgpack', (x) => {
      checker.attach('b', b.user.id, x);
      x.on('message', (e) => seen.push(e));
    });
    const cc = await connect(c.token, 'json', (x) => checker.attach('c', c.user.id, x));

    // Typing in a group reaches the other members, not the typist's own devices.
    const typers: string[] = [];
    for (const [who, cl] of [
      ['a', ca],
      ['b', cb],
      ['c', cc],
    ] as const)
      cl.on('typing', (t) => typers.push(`${who}<-${t.userId === b.user.id ? 'b' : '?'}`));
    cb.typing(cid);
    await until(() => typers.length >= 2, 5000, 'group typing');
    await new Promise((r) => setTimeout(r, 100));
    expect(typers.sort()).toEqual(['a<-b', 'c<-b']);

    const m1 = await cb.send({ to: cid, kind: 'text', text: 'hello @c', mentions: [c.user.id] });
    const m2 = await cc.send({ to: cid, kind: 'text', text: 'hi', replyTo: m1.seq });
    const e1 = await cb.edit(cid, m1.seq, 'hello @c (edited)');
    const again = await cb.edit(cid, m1.seq, 'something else', e1.clientId); // same clientId: same ack
    expect(again).toEqual(e1);
    await expect(cc.edit(cid, m1.seq, 'not mine')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      cb.send({ to: cid, kind: 'text', text: 'x', mentions: ['0000000000000000000000000z'] }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(cb.send({ to: cid, kind: 'text', text: 'x', replyTo: 999 })).rejects.toMatchObject({
      code: 'MESSAGE_NOT_FOUND',
    });
    await expect(cb.recall(cid, m2.seq)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const r1 = await cb.recall(cid, m1.seq);
    await setRole(s.app, groupId, b.user.id, 'admin');
    const r2 = await cb.recall(cid, m2.seq); // an admin recalls anyone's message
    const members = { [cid]: [a.user.id, b.user.id, c.user.id] };
    await checker.settle(members);
    checker.verify(members);
    const kinds = seen.map((e) => [e.seq, e.kind, e.target]);
    expect(kinds).toEqual([
      [m1.seq, 'text', undefined],
      [m2.seq, 'text', undefined],
      [e1.seq, 'edit', m1.seq],
      [r1.seq, 'recall', m1.seq],
      [r2.seq, 'recall', m2.seq],
    ]);
    expect(seen[0]!.mentions).toEqual([c.user.id]);
    expect(seen[1]!.replyTo).toBe(m1.seq);

    // History shows the recalled messages without content, the edit entry's text gone too.
    const h = await s.api.get(`/api/v1/conversations/${cid}/messages`, a.token);
    expect(h.status).toBe(200);
    const byseq = new Map(h.body.items.map((e: Entry) => [e.seq, e]));
    expect(byseq.get(m1.seq)).toMatchObject({ recalled: true });
    expect((byseq.get(m1.seq) as Entry).text).toBeUndefined();
    expect((byseq.get(e1.seq) as Entry).text).toBeUndefined();
    void ca;
  });

  it('edit changes history; recall window passes for the sender', async () => {
    const a = await registerUser(s.api, 'a');
    const b = await registerUser(s.api, 'b');
    await befriend(s.app, a.user.id, b.user.id);
    const dm = dmId(a.user.id, b.user.id);
    const ca = await connect(a.token);
    const m = await ca.send({ to: dm, kind: 'text', text: 'typo' });
    await ca.edit(dm, m.seq, 'fixed');
    const h = await s.api.get(`/api/v1/conversations/${dm}/messages?after=0`, b.token);
    expect(h.body.items[0]).toMatchObject({ seq: m.seq, text: 'fixed' });
    expect(h.body.items[0].editedAt).toBeGreaterThan(0);
    expect(h.body.items[1]).toMatchObject({ kind: 'edit', target: m.seq, text: 'fixed' });
    // Age the message past the window directly in the store.
    await s.app.store.conn.db
      .updateTable('entries')
      .set({ created_at: Date.now() - 120_000 })
      .where('conversation_id', '=', dm)
      .where('seq', '=', m.seq)
      .execute();
    await expect(ca.recall(dm, m.seq)).rejects.toMatchObject({ code: 'RECALL_WINDOW_PASSED' });
  });

  it('REST send (idempotent), paging and unread counts', async () => {
    const a = await registerUser(s.api, 'a');
    const b = await registerUser(s.api, 'b');
    await befriend(s.app, a.user.id, b.user.id);
    const dm = dmId(a.user.id, b.user.id);
    const checker = new DeliveryChecker();
    await connect(b.token, 'json', (x) => checker.attach('b', b.user.id, x));
    for (let i = 1; i <= 25; i++) {
      const r = await s.api.post(
        `/api/v1/conversations/${dm}/messages`,
        { clientId: `c${i}`, kind: 'text', text: `n${i}` },
        a.token,
      );
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ clientId: `c${i}`, conversation: dm, seq: i });
      checker.ack(r.body);
    }
    const dup = await s.api.post(
      `/api/v1/conversations/${dm}/messages`,
      { clientId: 'c3', kind: 'text', text: 'different' },
      a.token,
    );
    expect(dup.status).toBe(201);
    expect(dup.body.seq).toBe(3);
    await checker.settle({ [dm]: [b.user.id] });
    checker.verify({ [dm]: [b.user.id] });

    // Paging backwards from the end, then forwards.
    const p1 = await s.api.get(`/api/v1/conversations/${dm}/messages?limit=10`, b.token);
    expect(p1.body.items.map((e: Entry) => e.seq)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect(p1.body.next).toBe('16');
    const p2 = await s.api.get(`/api/v1/conversations/${dm}/messages?limit=10&before=16`, b.token);
    expect(p2.body.items.map((e: Entry) => e.seq)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    const p3 = await s.api.get(`/api/v1/conversations/${dm}/messages?limit=10&before=6`, b.token);
    expect(p3.body.items.map((e: Entry) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(p3.body.next).toBeUndefined();
    const f1 = await s.api.get(`/api/v1/conversations/${dm}/messages?after=20&limit=3`, b.token);
    expect(f1.body.items.map((e: Entry) => e.seq)).toEqual([21, 22, 23]);
    expect(f1.body.next).toBe('23');
    expect((await s.api.get(`/api/v1/conversations/${dm}/messages?limit=abc`, b.token)).status).toBe(400);

    // Unread counts others' messages after the read position.
    let list = await s.api.get('/api/v1/conversations', b.token);
    expect(list.body.items.find((x: any) => x.id === dm)).toMatchObject({
      unread: 25,
      readSeq: 0,
      maxSeq: 25,
      lastMessage: { seq: 25, text: 'n25' },
    });
    expect((await s.api.get('/api/v1/conversations', a.token)).body.items.find((x: any) => x.id === dm).unread).toBe(0);
    const rd = await s.api.post(`/api/v1/conversations/${dm}/read`, { seq: 20 }, b.token);
    expect(rd.body).toEqual({ conversation: dm, readSeq: 20 });
    expect((await s.api.post(`/api/v1/conversations/${dm}/read`, { seq: 5 }, b.token)).body.readSeq).toBe(20);
    list = await s.api.get('/api/v1/conversations', b.token);
    expect(list.body.items.find((x: any) => x.id === dm).unread).toBe(5);

    const patched = await s.api.patch(`/api/v1/conversations/${dm}`, { muted: true, pinned: true }, b.token);
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: dm, muted: true, pinned: true });
    expect((await s.api.patch(`/api/v1/conversations/${dm}`, { color: 'red' }, b.token)).status).toBe(400);
  });

  it('message kinds: data shapes are checked; media kinds need a resolvable media id', async () => {
    const a = await registerUser(s.api, 'a');
    const b = await registerUser(s.api, 'b');
    await befriend(s.app, a.user.id, b.user.id);
    const dm = dmId(a.user.id, b.user.id);
    const ca = await connect(a.token);
    await expect(ca.send({ to: dm, kind: 'sticker', data: { id: 'smile' } })).resolves.toMatchObject({ seq: 1 });
    await expect(
      ca.send({ to: dm, kind: 'link', data: { url: 'https://example.com', title: 'x' } }),
    ).resolves.toMatchObject({ seq: 2 });
    await expect(ca.send({ to: dm, kind: 'contact', data: { userId: b.user.id } })).resolves.toMatchObject({ seq: 3 });
    await expect(ca.send({ to: dm, kind: 'custom', data: { anything: [1, 2, 3] } })).resolves.toMatchObject({ seq: 4 });
    await expect(ca.send({ to: dm, kind: 'link', data: { url: 'javascript:alert(1)' } })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(ca.send({ to: dm, kind: 'custom', data: { big: 'x'.repeat(5000) } })).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
    await expect(ca.send({ to: dm, kind: 'text', text: 'x'.repeat(4001) })).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
    await expect(ca.send({ to: dm, kind: 'image', media: '0000000000000000000000000z' })).rejects.toMatchObject({
      code: 'MEDIA_NOT_FOUND',
    });
    await expect(ca.send({ to: dm, kind: 'text', text: 'hi', mentions: [b.user.id] })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(ca.send({ to: dm, kind: 'text', text: 'hi', data: { x: 1 } })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    // A real upload: the ref is stored, a share recorded, and the peer reads it with signed URLs.
    const up = await uploadOne(s, a.token, await solidPng(8, 8), 'dot.png');
    expect(up.status).toBe(201);
    const img = await ca.send({ to: dm, kind: 'image', media: up.body.id });
    const share = await s.app.store.conn.db
      .selectFrom('media_shares')
      .selectAll()
      .where('conversation_id', '=', dm)
      .execute();
    expect(share).toEqual([{ media_id: up.body.id, conversation_id: dm }]);
    const h = await s.api.get(`/api/v1/conversations/${dm}/messages?after=${img.seq - 1}`, b.token);
    expect(h.body.items[0].media).toMatchObject({
      id: up.body.id,
      kind: 'image',
      url: expect.stringMatching(/^\/media\//),
    });
  });
});
