import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Entry, ServerFrame } from '@parley/client';
import { dmId } from '../../src/domain/conversation-id.js';
import { MAX_EMOJI_PER_MESSAGE } from '../../src/domain/marks.js';
import { type U, V, befriend, db, expectError, groupWith, users } from '../social/helpers.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, startServer } from '../support/server.js';
import { RawSocket } from '../support/ws-clients.js';

let n = 0;
const cidOf = () => `rx-${n++}`;

describe.each(testDialects())('reactions on %s', (dialect) => {
  let s: TestServer;
  let a: U;
  let b: U;
  let c: U;
  let dm: string;
  const sockets: RawSocket[] = [];
  beforeAll(async () => {
    s = await startServer({ dialect });
    [a, b, c] = await users(s.api, 'rxa', 'rxb', 'rxc');
    await befriend(s.api, a, b);
    dm = dmId(a.user.id, b.user.id);
  });
  afterAll(async () => {
    for (const x of sockets) x.close();
    await s?.close();
  });

  const socket = async (u: U) => {
    const ws = await RawSocket.open(s.url, { token: u.token });
    sockets.push(ws);
    await ws.next((f) => f.type === 'ready');
    return ws;
  };
  const say = async (u: U, cid: string, text = 'hello') => {
    const r = await s.api.post(
      `${V}/conversations/${cid}/messages`,
      { clientId: cidOf(), kind: 'text', text },
      u.token,
    );
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.seq as number;
  };
  const react = (u: U, cid: string, seq: number, emoji: string, extra: Record<string, unknown> = {}) =>
    s.api.post(`${V}/conversations/${cid}/messages/${seq}/reactions`, { clientId: cidOf(), emoji, ...extra }, u.token);
  const messageAt = async (u: U, cid: string, seq: number): Promise<Entry> => {
    const r = await s.api.get(`${V}/conversations/${cid}/messages?after=${seq - 1}&limit=1`, u.token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.items[0];
  };
  const answer = (ws: RawSocket, clientId: string) =>
    ws.next((f) => (f.type === 'ack' || f.type === 'error') && (f as { clientId?: string }).clientId === clientId);

  it('a react frame is an entry that reaches both people live, and history shows counts and my state', async () => {
    const seq = await say(b, dm);
    const [wa, wb] = [await socket(a), await socket(b)];
    wa.send({ type: 'react', clientId: 'r-live-1', conversation: dm, seq, emoji: '👍' });
    const ack = await answer(wa, 'r-live-1');
    expect(ack.type).toBe('ack');
    for (const ws of [wa, wb]) {
      const f = await ws.next<Extract<ServerFrame, { type: 'message' }>>(
        (x) => x.type === 'message' && x.entry.kind === 'react',
      );
      expect(f.entry).toMatchObject({
        kind: 'react',
        sender: a.user.id,
        target: seq,
        emoji: '👍',
        reactions: [{ emoji: '👍', count: 1 }],
      });
      expect(f.entry.seq).toBe((ack as { seq: number }).seq);
    }
    await react(b, dm, seq, '👍');
    await react(b, dm, seq, '❤️');
    expect((await messageAt(a, dm, seq)).reactions).toEqual([
      { emoji: '👍', count: 2, me: true },
      { emoji: '❤️', count: 1 },
    ]);
    expect((await messageAt(b, dm, seq)).reactions).toEqual([
      { emoji: '👍', count: 2, me: true },
      { emoji: '❤️', count: 1, me: true },
    ]);
  });

  it('is idempotent by clientId; the same reaction twice is CONFLICT; removing takes it back', async () => {
    const seq = await say(a, dm);
    const body = { clientId: 'r-idem-1', emoji: '🎉' };
    const first = await s.api.post(`${V}/conversations/${dm}/messages/${seq}/reactions`, body, b.token);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const again = await s.api.post(`${V}/conversations/${dm}/messages/${seq}/reactions`, body, b.token);
    expect(again.body).toEqual(first.body);
    expectError(await react(b, dm, seq, '🎉'), 409, 'CONFLICT');
    const rows = await db(s)
      .selectFrom('entries')
      .select('kind')
      .where('conversation_id', '=', dm)
      .where('target_seq', '=', seq)
      .execute();
    expect(rows.map((r) => r.kind)).toEqual(['react']);

    const off = await react(b, dm, seq, '🎉', { remove: true });
    expect(off.status, JSON.stringify(off.body)).toBe(201);
    expect((await messageAt(a, dm, seq)).reactions).toBeUndefined();
    expectError(await react(b, dm, seq, '🎉', { remove: true }), 409, 'CONFLICT');
    const counts = await db(s)
      .selectFrom('reaction_counts')
      .selectAll()
      .where('conversation_id', '=', dm)
      .where('seq', '=', seq)
      .execute();
    expect(counts).toEqual([]);
  });

  it('refuses anything but one emoji, over REST and over the socket', async () => {
    const seq = await say(a, dm);
    for (const bad of ['a', '👍👍', '👍 ', ':)', '1', '\u200b'])
      expectError(await react(a, dm, seq, bad), 400, 'VALIDATION_FAILED');
    expectError(await react(a, dm, seq, '👍'.repeat(20)), 400, 'VALIDATION_FAILED');
    for (const ok of ['👨‍👩‍👧‍👦', '🇫🇷', '👍🏽', '1️⃣']) expect((await react(a, dm, seq, ok)).status).toBe(201);
    const ws = await socket(a);
    ws.send({ type: 'react', clientId: 'r-bad-ws', conversation: dm, seq, emoji: 'xy' });
    expect(await answer(ws, 'r-bad-ws')).toMatchObject({ type: 'error', code: 'VALIDATION_FAILED' });
    ws.send({ type: 'react', clientId: 'r-bad-ws2', conversation: dm, seq, emoji: '👍', extra: 1 });
    expect(await answer(ws, 'r-bad-ws2')).toMatchObject({ type: 'error', code: 'VALIDATION_FAILED' });
  });

  it(`bounds distinct emoji per message at ${MAX_EMOJI_PER_MESSAGE}; more of an existing one still go`, async () => {
    const seq = await say(a, dm);
    const emoji = [...'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙😚🙂🤗🤩'];
    for (const e of emoji.slice(0, MAX_EMOJI_PER_MESSAGE)) expect((await react(a, dm, seq, e)).status).toBe(201);
    expectError(await react(b, dm, seq, emoji[MAX_EMOJI_PER_MESSAGE]!), 409, 'TOO_MANY_REACTIONS');
    expect((await react(b, dm, seq, emoji[0]!)).status).toBe(201);
    const m = await messageAt(b, dm, seq);
    expect(m.reactions).toHaveLength(MAX_EMOJI_PER_MESSAGE);
    expect(m.reactions![0]).toEqual({ emoji: emoji[0], count: 2, me: true });
  });

  it('needs the right to post and a message one may read', async () => {
    const seq = await say(a, dm);
    expectError(await react(c, dm, seq, '👍'), 403, 'FORBIDDEN');
    expectError(await react(a, dm, 999_999, '👍'), 404, 'MESSAGE_NOT_FOUND');
    const g = await groupWith(s.api, a, [b]);
    const gid = `g:${g.id}`;
    const system = 1; // "a created the group"
    const gseq = await say(a, gid);
    expectError(await react(b, gid, system, '👍'), 404, 'MESSAGE_NOT_FOUND');
    expectError(await react(c, gid, gseq, '👍'), 403, 'NOT_A_MEMBER');
    expect((await s.api.get(`${V}/conversations/${gid}/messages/${gseq}/reactions`, c.token)).status).toBe(403);
    // A member who joins later cannot react to what came before.
    await befriend(s.api, a, c);
    const add = await s.api.post(`${V}/groups/${g.id}/members`, { userIds: [c.user.id] }, a.token);
    expect(add.status, JSON.stringify(add.body)).toBeLessThan(300);
    expectError(await react(c, gid, gseq, '👍'), 404, 'MESSAGE_NOT_FOUND');
    expect((await react(c, gid, await say(b, gid), '👍')).status).toBe(201);
  });

  it('a blocked one-to-one peer is refused as sends are', async () => {
    const [x, y] = await users(s.api, 'rxx', 'rxy');
    await befriend(s.api, x, y);
    const cid = dmId(x.user.id, y.user.id);
    const seq = await say(x, cid);
    expect((await s.api.put(`${V}/blocks/${x.user.id}`, {}, y.token)).status).toBeLessThan(300);
    expectError(await react(x, cid, seq, '👍'), 403, 'BLOCKED');
    expectError(await react(y, cid, seq, '👍'), 403, 'BLOCKED');
  });

  it('lists who reacted, paged, and with one emoji', async () => {
    const [d, e] = await users(s.api, 'rxd', 'rxe');
    const g = await groupWith(s.api, a, [b, d, e]);
    const gid = `g:${g.id}`;
    const seq = await say(a, gid);
    for (const [u, emoji] of [
      [b, '👍'],
      [d, '👍'],
      [e, '😂'],
      [a, '👍'],
    ] as const)
      expect((await react(u, gid, seq, emoji)).status).toBe(201);
    const path = `${V}/conversations/${gid}/messages/${seq}/reactions`;
    const p1 = await s.api.get(`${path}?limit=3`, e.token);
    expect(p1.status, JSON.stringify(p1.body)).toBe(200);
    expect(p1.body.items.map((i: any) => [i.user.id, i.emoji])).toEqual([
      [b.user.id, '👍'],
      [d.user.id, '👍'],
      [e.user.id, '😂'],
    ]);
    expect(p1.body.items[0].user.nickname).toBeTypeOf('string');
    const p2 = await s.api.get(`${path}?limit=3&after=${p1.body.next}`, e.token);
    expect(p2.body.items.map((i: any) => i.user.id)).toEqual([a.user.id]);
    expect(p2.body.next).toBeUndefined();
    const thumbs = await s.api.get(`${path}?emoji=${encodeURIComponent('👍')}`, e.token);
    expect(thumbs.body.items.map((i: any) => i.user.id)).toEqual([b.user.id, d.user.id, a.user.id]);
    expectError(await s.api.get(`${path}?after=nonsense`, e.token), 400, 'VALIDATION_FAILED');
    expectError(await s.api.get(`${path}?emoji=x`, e.token), 400, 'VALIDATION_FAILED');
  });

  it('catch-up replays reactions as entries with the counts after each', async () => {
    const seq = await say(a, dm);
    const before = seq;
    await react(b, dm, seq, '🔥');
    await react(a, dm, seq, '🔥');
    await react(b, dm, seq, '🔥', { remove: true });
    const ws = await socket(a);
    ws.send({ type: 'sync', conversations: { [dm]: before }, only: true });
    const batch = await ws.next<Extract<ServerFrame, { type: 'sync.batch' }>>((f) => f.type === 'sync.batch');
    expect(batch.entries.map((e) => [e.kind, e.sender, e.emoji, e.reactions])).toEqual([
      ['react', b.user.id, '🔥', [{ emoji: '🔥', count: 1 }]],
      ['react', a.user.id, '🔥', [{ emoji: '🔥', count: 2 }]],
      ['unreact', b.user.id, '🔥', [{ emoji: '🔥', count: 1 }]],
    ]);
  });

  it('a recalled message loses its reactions', async () => {
    const seq = await say(a, dm);
    await react(b, dm, seq, '👍');
    const ws = await socket(a);
    ws.send({ type: 'recall', clientId: 'rx-recall-1', conversation: dm, seq });
    expect((await answer(ws, 'rx-recall-1')).type).toBe('ack');
    const m = await messageAt(b, dm, seq);
    expect(m.recalled).toBe(true);
    expect(m.reactions).toBeUndefined();
    expectError(await react(b, dm, seq, '❤️'), 404, 'MESSAGE_NOT_FOUND');
    const left = await db(s)
      .selectFrom('reactions')
      .selectAll()
      .where('conversation_id', '=', dm)
      .where('seq', '=', seq)
      .execute();
    expect(left).toEqual([]);
  });
});

/** The writer commits as soon as it holds two items, so two reactions sent together share one transaction. */
describe.each(testDialects())('reactions raced in one commit on %s', (dialect) => {
  let s: TestServer;
  let a: U;
  let b: U;
  let dm: string;
  beforeAll(async () => {
    s = await startServer({ dialect, config: { commitBatch: 2, commitWindow: 1500 } });
    [a, b] = await users(s.api, 'rra', 'rrb');
    await befriend(s.api, a, b);
    dm = dmId(a.user.id, b.user.id);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('the same reaction from two devices at once: one applies, the other is CONFLICT', async () => {
    const sent = await Promise.all(
      [0, 1].map((i) =>
        s.api.post(`${V}/conversations/${dm}/messages`, { clientId: `race-${i}`, kind: 'text', text: 'x' }, b.token),
      ),
    );
    const seq = sent[0]!.body.seq as number;
    const got = await Promise.all(
      ['d1', 'd2'].map((d) =>
        s.api.post(
          `${V}/conversations/${dm}/messages/${seq}/reactions`,
          { clientId: `race-${d}`, emoji: '👍' },
          a.token,
        ),
      ),
    );
    expect(got.map((r) => r.status).sort()).toEqual([201, 409]);
    const rows = await db(s).selectFrom('reaction_counts').selectAll().where('conversation_id', '=', dm).execute();
    expect(rows.map((r) => [Number(r.seq), r.emoji, Number(r.count)])).toEqual([[seq, '👍', 1]]);
  });
});
