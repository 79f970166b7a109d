import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFrame } from '@parley/client';
import { dmId } from '../../src/domain/conversation-id.js';
import { MAX_PINS_PER_CONVERSATION } from '../../src/domain/marks.js';
import { type U, V, befriend, db, expectError, groupWith, users } from '../social/helpers.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, startServer } from '../support/server.js';
import { RawSocket } from '../support/ws-clients.js';

let n = 0;
const next = () => `pn-${n++}`;

describe.each(testDialects())('pinned messages on %s', (dialect) => {
  let s: TestServer;
  let a: U;
  let b: U;
  let c: U;
  let dm: string;
  const sockets: RawSocket[] = [];
  beforeAll(async () => {
    s = await startServer({ dialect });
    [a, b, c] = await users(s.api, 'pna', 'pnb', 'pnc');
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
    const r = await s.api.post(`${V}/conversations/${cid}/messages`, { clientId: next(), kind: 'text', text }, u.token);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.seq as number;
  };
  const pin = (u: U, cid: string, seq: number, remove?: boolean) =>
    s.api.post(`${V}/conversations/${cid}/pins`, { clientId: next(), seq, ...(remove ? { remove } : {}) }, u.token);
  const pins = async (u: U, cid: string) => {
    const r = await s.api.get(`${V}/conversations/${cid}/pins`, u.token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.items as { seq: number; pinnedBy: string; entry: { text?: string } }[];
  };

  it('either person of a direct chat pins and unpins; the list and history show it; entries go live', async () => {
    const first = await say(a, dm, 'first');
    const second = await say(b, dm, 'second');
    const wb = await socket(b);
    wb.send({ type: 'pin', clientId: 'pin-ws-1', conversation: dm, seq: first });
    expect(await wb.next((f) => f.type === 'ack' || f.type === 'error')).toMatchObject({
      type: 'ack',
      clientId: 'pin-ws-1',
    });
    const live = await wb.next<Extract<ServerFrame, { type: 'message' }>>(
      (f) => f.type === 'message' && f.entry.kind === 'pin',
    );
    expect(live.entry).toMatchObject({ kind: 'pin', sender: b.user.id, target: first });
    expect((await pin(a, dm, second)).status).toBe(201);
    const list = await pins(a, dm);
    expect(list.map((p) => [p.seq, p.pinnedBy, p.entry.text])).toEqual([
      [second, a.user.id, 'second'],
      [first, b.user.id, 'first'],
    ]);
    const h = await s.api.get(`${V}/conversations/${dm}/messages?after=${first - 1}&limit=2`, b.token);
    expect(h.body.items.map((e: any) => e.pinned)).toEqual([true, true]);

    expectError(await pin(a, dm, first), 409, 'CONFLICT');
    expect((await pin(a, dm, first, true)).status).toBe(201);
    expectError(await pin(a, dm, first, true), 409, 'CONFLICT');
    expect((await pins(b, dm)).map((p) => p.seq)).toEqual([second]);
    const tail = await s.api.get(`${V}/conversations/${dm}/messages?limit=3`, a.token);
    expect(tail.body.items.map((e: any) => e.kind).slice(-2)).toEqual(['pin', 'unpin']);
  });

  it('in groups only the owner and admins pin; members and strangers are refused', async () => {
    const [m, adm] = await users(s.api, 'pnm', 'pnd');
    const g = await groupWith(s.api, a, [m, adm]);
    const gid = `g:${g.id}`;
    const r = await s.api.patch(`${V}/groups/${g.id}/members/${adm.user.id}`, { role: 'admin' }, a.token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const seq = await say(m, gid);
    expectError(await pin(m, gid, seq), 403, 'ROLE_REQUIRED');
    expectError(await pin(c, gid, seq), 403, 'NOT_A_MEMBER');
    expect((await s.api.get(`${V}/conversations/${gid}/pins`, c.token)).status).toBe(403);
    expect((await pin(adm, gid, seq)).status).toBe(201);
    expectError(await pin(m, gid, seq, true), 403, 'ROLE_REQUIRED');
    expect((await pin(a, gid, seq, true)).status).toBe(201);
    expectError(await pin(a, gid, 1), 404, 'MESSAGE_NOT_FOUND'); // the "created" system entry
    expect((await pins(m, gid)).length).toBe(0);
  });

  it('is idempotent by clientId', async () => {
    const seq = await say(a, dm);
    const body = { clientId: 'pin-idem', seq };
    const one = await s.api.post(`${V}/conversations/${dm}/pins`, body, a.token);
    const two = await s.api.post(`${V}/conversations/${dm}/pins`, body, a.token);
    expect(one.status).toBe(201);
    expect(two.body).toEqual(one.body);
    expect((await pin(a, dm, seq, true)).status).toBe(201);
  });

  it(`holds at most ${MAX_PINS_PER_CONVERSATION} pins per conversation`, async () => {
    const [x, y] = await users(s.api, 'pnx', 'pny');
    await befriend(s.api, x, y);
    const cid = dmId(x.user.id, y.user.id);
    const seqs = [await say(x, cid, 'a'), await say(y, cid, 'b'), await say(x, cid, 'c')];
    // All but two pins are rows of messages that retention would have removed (the bound counts
    // pins, not what is visible): the last two go through the API.
    const base = 1_000_000;
    await db(s)
      .insertInto('message_pins')
      .values(
        Array.from({ length: MAX_PINS_PER_CONVERSATION - 2 }, (_, i) => ({
          conversation_id: cid,
          seq: base + i,
          pinned_by: x.user.id,
          pinned_at: 1,
        })),
      )
      .execute();
    expect((await pin(x, cid, seqs[0]!)).status).toBe(201);
    expect((await pin(y, cid, seqs[1]!)).status).toBe(201);
    expectError(await pin(y, cid, seqs[2]!), 409, 'TOO_MANY_PINS');
    expect((await pin(y, cid, seqs[0]!, true)).status).toBe(201);
    expect((await pin(y, cid, seqs[2]!)).status).toBe(201);
    expect((await pins(x, cid)).map((p) => p.seq).sort()).toEqual([seqs[1], seqs[2]].sort());
  });

  it('a blocked peer cannot pin; a recalled message leaves the list', async () => {
    const [x, y] = await users(s.api, 'pnbx', 'pnby');
    await befriend(s.api, x, y);
    const cid = dmId(x.user.id, y.user.id);
    const seq = await say(x, cid);
    expect((await pin(y, cid, seq)).status).toBe(201);
    const ws = await socket(x);
    ws.send({ type: 'recall', clientId: 'pn-recall', conversation: cid, seq });
    expect(await ws.next((f) => f.type === 'ack' || f.type === 'error')).toMatchObject({ type: 'ack' });
    expect(await pins(y, cid)).toEqual([]);
    const other = await say(x, cid);
    expect((await s.api.put(`${V}/blocks/${y.user.id}`, {}, x.token)).status).toBeLessThan(300);
    expectError(await pin(y, cid, other), 403, 'BLOCKED');
    expectError(await pin(c, cid, other), 403, 'FORBIDDEN');
  });
});
