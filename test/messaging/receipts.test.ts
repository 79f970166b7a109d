import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveredFrame, ErrorFrame, ParleyClient, ReceiptFrame } from '@parley/client';
import { dmId } from '../../src/domain/conversation-id.js';
import { newId } from '../../src/domain/ids.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { addMember, befriend, block, createGroup } from '../support/social-fixtures.js';
import { connectClient, until } from '../support/ws-clients.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(testDialects())('delivery and seen status on %s', (dialect) => {
  let s: TestServer;
  const open: ParleyClient[] = [];
  beforeAll(async () => {
    s = await startServer({ dialect, config: { messageRate: 10_000, messageBurst: 10_000 } });
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await s?.close();
  });
  const connect = async (
    token: string,
    extra: Parameters<typeof connectClient>[3] = {},
    before?: (c: ParleyClient) => void,
  ) => {
    const c = await connectClient(s.url, token, 'json', { receivedDelayMs: 20, ...extra }, before);
    open.push(c);
    return c;
  };
  const summary = async (token: string, cid: string) =>
    (await s.api.get('/api/v1/conversations', token)).body.items.find((x: { id: string }) => x.id === cid);

  it('one-to-one: sent, then delivered on catch-up and live, then read; never backwards', async () => {
    const a = await registerUser(s.api, 'a');
    const b = await registerUser(s.api, 'b');
    await befriend(s.app, a.user.id, b.user.id);
    const dm = dmId(a.user.id, b.user.id);
    const delivered: DeliveredFrame[] = [];
    const ca = await connect(a.token, {}, (c) => c.on('delivered', (f) => delivered.push(f)));

    // B is offline: sent only.
    const one = await ca.send({ to: dm, kind: 'text', text: 'one' });
    const two = await ca.send({ to: dm, kind: 'text', text: 'two' });
    await sleep(100);
    expect(delivered).toEqual([]);
    expect(await summary(a.token, dm)).toMatchObject({ peerDeliveredSeq: 0, peerReadSeq: 0 });

    // B's device catches up: one report for the whole catch-up, up to the last entry.
    const cb = await connect(b.token);
    await until(() => delivered.length >= 1, 5000, 'delivered after catch-up');
    expect(delivered[0]).toEqual({ type: 'delivered', conversation: dm, userId: b.user.id, seq: two.seq });
    expect(await summary(a.token, dm)).toMatchObject({ peerDeliveredSeq: two.seq, peerReadSeq: 0 });

    // Live: a new message is reported as it arrives.
    const three = await ca.send({ to: dm, kind: 'text', text: 'three' });
    await until(() => delivered.some((d) => d.seq === three.seq), 5000, 'delivered live');

    // B's own messages are not reported by B (nothing to tick for A); A's device reports them.
    const bDelivered: DeliveredFrame[] = [];
    cb.on('delivered', (f) => bDelivered.push(f));
    const four = await cb.send({ to: dm, kind: 'text', text: 'four' });
    await until(() => bDelivered.some((d) => d.seq === four.seq && d.userId === a.user.id), 5000, 'A reports');

    // A stale or replayed report moves nothing and tells nobody.
    const before = delivered.length;
    cb.raw({ type: 'received', conversation: dm, seq: one.seq });
    cb.raw({ type: 'received', conversation: dm, seq: three.seq });
    await sleep(150);
    expect(delivered.length).toBe(before);
    expect((await summary(a.token, dm)).peerDeliveredSeq).toBe(three.seq);

    // A report past the end is clamped to the last entry.
    cb.raw({ type: 'received', conversation: dm, seq: 1_000_000 });
    await until(() => delivered.some((d) => d.seq === four.seq), 5000, 'clamped');
    expect(delivered.at(-1)).toMatchObject({ seq: four.seq });

    // Read.
    const receipts: ReceiptFrame[] = [];
    ca.on('receipt', (r) => receipts.push(r));
    cb.read(dm, three.seq);
    await until(() => receipts.some((r) => r.userId === b.user.id && r.seq === three.seq), 5000, 'read');

    // A reconnecting sender gets the ticks back in its catch-up (a `receipts` frame).
    const afterReconnect: { kind: string; seq: number; userId: string }[] = [];
    const ca2 = await connect(a.token, { state: { conversations: ca.snapshot().conversations } }, (c) => {
      c.on('delivered', (f) => afterReconnect.push({ kind: 'delivered', seq: f.seq, userId: f.userId }));
      c.on('receipt', (f) => afterReconnect.push({ kind: 'read', seq: f.seq, userId: f.userId }));
    });
    expect(afterReconnect).toEqual(
      expect.arrayContaining([
        { kind: 'delivered', seq: four.seq, userId: b.user.id },
        { kind: 'read', seq: three.seq, userId: b.user.id },
      ]),
    );
    ca2.close();
  });

  it('reports what arrived while the reporting device was offline once it is back', async () => {
    const a = await registerUser(s.api, 'a');
    const b = await registerUser(s.api, 'b');
    await befriend(s.app, a.user.id, b.user.id);
    const dm = dmId(a.user.id, b.user.id);
    const delivered: DeliveredFrame[] = [];
    const ca = await connect(a.token, {}, (c) => c.on('delivered', (f) => delivered.push(f)));
    const cb = await connect(b.token);
    await ca.send({ to: dm, kind: 'text', text: 'before' });
    await until(() => delivered.length === 1, 5000, 'first');
    cb.drop();
    const later = await ca.send({ to: dm, kind: 'text', text: 'while away' });
    await until(() => cb.state === 'online', 5000, 'B back');
    await until(() => delivered.some((d) => d.seq === later.seq), 5000, 'delivered after reconnect');
  });

  it('a client may opt out; refusals have stable codes; a block silences the report', async () => {
    const a = await registerUser(s.api, 'a');
    const b = await registerUser(s.api, 'b');
    const c = await registerUser(s.api, 'c');
    await befriend(s.app, a.user.id, b.user.id);
    const dm = dmId(a.user.id, b.user.id);
    const delivered: DeliveredFrame[] = [];
    const ca = await connect(a.token, {}, (x) => x.on('delivered', (f) => delivered.push(f)));
    const quiet = await connect(b.token, { autoReceived: false });
    const sent = await ca.send({ to: dm, kind: 'text', text: 'hi' });
    await until(() => quiet.lastSeq(dm) === sent.seq, 5000, 'B has it');
    await sleep(150);
    expect(delivered).toEqual([]);

    const errors: ErrorFrame[] = [];
    const cc = await connect(c.token, {}, (x) => x.on('error', (e) => errors.push(e)));
    cc.raw({ type: 'received', conversation: dm, seq: 1 });
    cc.raw({ type: 'received', conversation: dm, seq: -1 } as never);
    cc.raw({ type: 'received', conversation: 'x'.repeat(81), seq: 1 });
    await until(() => errors.length >= 3, 5000, 'three refusals');
    expect(errors.map((e) => e.code).sort()).toEqual(['FORBIDDEN', 'VALIDATION_FAILED', 'VALIDATION_FAILED']);

    await block(s.app, a.user.id, b.user.id);
    quiet.raw({ type: 'received', conversation: dm, seq: sent.seq });
    await sleep(200);
    expect(delivered).toEqual([]);
  });

  it('groups at the member limit: "seen by N" and the paged list of who saw it', async () => {
    const limit = s.app.config.groupMaxMembers;
    const owner = await registerUser(s.api, 'owner');
    const other = await registerUser(s.api, 'other');
    const { groupId, cid } = await createGroup(s.app, owner.user.id, [other.user.id]);
    const db = s.app.store.conn.db;
    const now = Date.now();
    // The rest of the group, written straight into the tables (the member limit is thousands).
    const ids = Array.from({ length: limit - 2 }, () => newId());
    for (let i = 0; i < ids.length; i += 200) {
      const slice = ids.slice(i, i + 200);
      await db
        .insertInto('users')
        .values(
          slice.map((id, j) => ({
            id,
            username: `m${i + j}_${id.slice(-8)}`,
            username_lc: `m${i + j}_${id.slice(-8)}`.toLowerCase(),
            mobile: null,
            password_hash: 'x',
            nickname: `member ${i + j}`,
            avatar: null,
            gender: 'unspecified',
            bio: '',
            event_seq: 0,
            created_at: now,
            updated_at: now,
          })),
        )
        .execute();
      await db
        .insertInto('group_members')
        .values(
          slice.map((id) => ({ group_id: groupId, user_id: id, role: 'member', muted_until: null, joined_at: now })),
        )
        .execute();
      await db
        .insertInto('conversation_members')
        .values(
          slice.map((id) => ({
            conversation_id: cid,
            user_id: id,
            read_seq: 0,
            muted: 0,
            pinned: 0,
            joined_seq: 0,
            left_seq: null,
            updated_at: now,
          })),
        )
        .execute();
    }
    await db.updateTable('chat_groups').set({ member_count: limit }).where('id', '=', groupId).execute();

    const post = async (token: string, text: string) =>
      (await s.api.post(`/api/v1/conversations/${cid}/messages`, { clientId: newId(), kind: 'text', text }, token)).body
        .seq as number;
    const m1 = await post(owner.token, 'first');
    const m2 = await post(owner.token, 'second');
    const theirs = await post(other.token, 'not yours');

    // 1,500 members read up to m1, 700 of them on to m2; the sender's own position is not counted.
    const sorted = [...ids].sort();
    const readM1 = sorted.slice(0, 1500);
    const readM2 = sorted.slice(0, 700);
    const set = async (users: string[], seq: number) => {
      for (let i = 0; i < users.length; i += 500)
        await db
          .updateTable('conversation_members')
          .set({ read_seq: seq })
          .where('conversation_id', '=', cid)
          .where('user_id', 'in', users.slice(i, i + 500))
          .execute();
    };
    await set(readM1, m1);
    await set(readM2, m2);
    await s.api.post(`/api/v1/conversations/${cid}/read`, { seq: theirs }, owner.token);
    // A member who joined after m2 and read everything did not see m1 or m2.
    const late = await registerUser(s.api, 'late');
    await db
      .updateTable('chat_groups')
      .set({ member_count: limit - 1 })
      .where('id', '=', groupId)
      .execute();
    await db
      .deleteFrom('group_members')
      .where('user_id', '=', sorted[sorted.length - 1]!)
      .execute();
    await addMember(s.app, groupId, late.user.id);
    await s.api.post(`/api/v1/conversations/${cid}/read`, { seq: theirs }, late.token);

    const counts = await s.api.get(`/api/v1/conversations/${cid}/seen?seqs=${m1},${m2},${theirs},999`, owner.token);
    expect(counts.status).toBe(200);
    expect(counts.body.items).toEqual([
      { seq: m1, count: 1500 },
      { seq: m2, count: 700 },
    ]);
    // Someone else's message: its sender sees its count (the owner read it; `late` joined after
    // it was written, so only the owner counts).
    const forOther = await s.api.get(`/api/v1/conversations/${cid}/seen?seqs=${theirs},${m1}`, other.token);
    expect(forOther.body.items).toEqual([{ seq: theirs, count: 1 }]);

    // The paged list: 700 readers of m2 in pages of 100, by user id, no repeats.
    const seen: string[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const q = after ? `&after=${after}` : '';
      const r = await s.api.get(`/api/v1/conversations/${cid}/messages/${m2}/seen?limit=100${q}`, owner.token);
      expect(r.status).toBe(200);
      expect(r.body.count).toBe(700);
      seen.push(...r.body.items.map((u: { id: string }) => u.id));
      if (!r.body.next) break;
      after = r.body.next;
    }
    expect(seen).toEqual(readM2);
    expect(
      (await s.api.get(`/api/v1/conversations/${cid}/messages/${m2}/seen?limit=1`, owner.token)).body.items[0],
    ).toMatchObject({ id: readM2[0], nickname: expect.stringMatching(/^member /) });

    // Only the sender asks who saw a message; outsiders cannot read the conversation at all.
    const notMine = await s.api.get(`/api/v1/conversations/${cid}/messages/${m2}/seen`, other.token);
    expect(notMine).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    const outsider = await registerUser(s.api, 'outsider');
    const out = await s.api.get(`/api/v1/conversations/${cid}/seen?seqs=${m1}`, outsider.token);
    expect(out).toMatchObject({ status: 403, body: { error: { code: 'NOT_A_MEMBER' } } });
    const bad = await s.api.get(`/api/v1/conversations/${cid}/seen?seqs=a,b`, owner.token);
    expect(bad.status).toBe(400);
    const tooMany = Array.from({ length: 101 }, (_, i) => i + 1).join(',');
    expect((await s.api.get(`/api/v1/conversations/${cid}/seen?seqs=${tooMany}`, owner.token)).status).toBe(400);

    // A reader who blocked the sender is not listed.
    await block(s.app, readM2[0]!, owner.user.id);
    const afterBlock = await s.api.get(`/api/v1/conversations/${cid}/messages/${m2}/seen?limit=1`, owner.token);
    expect(afterBlock.body).toMatchObject({ count: 699, items: [{ id: readM2[1] }] });
  });
});
