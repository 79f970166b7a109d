import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { dmId } from '../../src/domain/conversation-id.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, startServer } from '../support/server.js';
import { V, befriend, convMember, db, eventsOf, expectError, presenceOf, users } from './helpers.js';

describe.each(testDialects())('contacts over HTTP on %s', (dialect) => {
  let s: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  beforeAll(async () => {
    s = await startServer({ dialect, clock, config: { friendRequestsPerDay: 4 } });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('request → lists → accept makes both friends, the DM and the events at once', async () => {
    const { api } = s;
    const [a, b] = await users(api, 'ann', 'ben');
    const sent = await api.post(`${V}/contacts/requests`, { userId: b.user.id, message: 'hi, it is Ann' }, a.token);
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({
      from: { id: a.user.id, nickname: 'ann' },
      to: { id: b.user.id },
      message: 'hi, it is Ann',
      status: 'pending',
    });

    const incoming = await api.get(`${V}/contacts/requests?direction=in`, b.token);
    expect(incoming.body.items.map((r: any) => r.id)).toEqual([sent.body.id]);
    expect((await api.get(`${V}/contacts/requests`, b.token)).body.items).toHaveLength(1);
    expect((await api.get(`${V}/contacts/requests?direction=out`, a.token)).body.items.map((r: any) => r.id)).toEqual([
      sent.body.id,
    ]);
    expect((await api.get(`${V}/contacts/requests?direction=in`, a.token)).body.items).toEqual([]);

    // The sender cannot accept their own request; only the receiver can.
    expectError(await api.post(`${V}/contacts/requests/${sent.body.id}/accept`, {}, a.token), 404, 'REQUEST_NOT_FOUND');
    const ok = await api.post(`${V}/contacts/requests/${sent.body.id}/accept`, {}, b.token);
    expect(ok.status).toBe(200);
    expect(ok.body.request.status).toBe('accepted');
    expect(ok.body.friend).toMatchObject({
      id: a.user.id,
      remark: '',
      online: false,
      conversation: dmId(a.user.id, b.user.id),
    });

    const fa = await api.get(`${V}/contacts`, a.token);
    const fb = await api.get(`${V}/contacts`, b.token);
    expect(fa.body.items.map((f: any) => f.id)).toEqual([b.user.id]);
    expect(fb.body.items.map((f: any) => f.id)).toEqual([a.user.id]);
    const cid = dmId(a.user.id, b.user.id);
    expect(await convMember(s, cid, a.user.id)).toMatchObject({ joinedSeq: 0, leftSeq: null });
    expect(await convMember(s, cid, b.user.id)).toMatchObject({ joinedSeq: 0, leftSeq: null });
    expect(await db(s).selectFrom('conversations').select('kind').where('id', '=', cid).executeTakeFirst()).toEqual({
      kind: 'dm',
    });

    const ea = await eventsOf(s, a.user.id);
    const eb = await eventsOf(s, b.user.id);
    expect(ea.map((e) => e.kind)).toEqual(['contact.request', 'contact.accepted']);
    expect(eb.map((e) => e.kind)).toEqual(['contact.request', 'contact.accepted']);
    // Each side's event carries the other as the new friend.
    expect(ea[1]!.payload.friend.id).toBe(b.user.id);
    expect(eb[1]!.payload.friend.id).toBe(a.user.id);

    // Pending lists are empty, a second request is refused, a second accept finds nothing.
    expect((await api.get(`${V}/contacts/requests`, b.token)).body.items).toEqual([]);
    expectError(await api.post(`${V}/contacts/requests`, { userId: b.user.id }, a.token), 409, 'ALREADY_FRIENDS');
    expectError(await api.post(`${V}/contacts/requests`, { userId: a.user.id }, b.token), 409, 'ALREADY_FRIENDS');
    expectError(await api.post(`${V}/contacts/requests/${sent.body.id}/accept`, {}, b.token), 404, 'REQUEST_NOT_FOUND');
  });

  it('refuses a request to yourself, to nobody, and a second pending one in either direction', async () => {
    const { api } = s;
    const [a, b] = await users(api, 'cat', 'dan');
    expectError(await api.post(`${V}/contacts/requests`, { userId: a.user.id }, a.token), 400, 'CANNOT_TARGET_SELF');
    expectError(await api.post(`${V}/contacts/requests`, { userId: '0'.repeat(26) }, a.token), 404, 'USER_NOT_FOUND');
    expectError(await api.post(`${V}/contacts/requests`, { userId: 'not-an-id' }, a.token), 400, 'VALIDATION_FAILED');
    expectError(
      await api.post(`${V}/contacts/requests`, { userId: b.user.id, extra: 1 }, a.token),
      400,
      'VALIDATION_FAILED',
    );
    expectError(
      await api.post(`${V}/contacts/requests`, { userId: b.user.id, message: 'x'.repeat(513) }, a.token),
      400,
      'VALIDATION_FAILED',
    );
    expect((await api.post(`${V}/contacts/requests`, { userId: b.user.id }, a.token)).status).toBe(201);
    expectError(await api.post(`${V}/contacts/requests`, { userId: b.user.id }, a.token), 409, 'REQUEST_PENDING');
    expectError(await api.post(`${V}/contacts/requests`, { userId: a.user.id }, b.token), 409, 'REQUEST_PENDING');
  });

  it('declines and cancels, each only by the right side', async () => {
    const { api } = s;
    const [a, b, c] = await users(api, 'eve', 'fay', 'gus');
    const r1 = await api.post(`${V}/contacts/requests`, { userId: b.user.id }, a.token);
    const r2 = await api.post(`${V}/contacts/requests`, { userId: c.user.id }, a.token);
    // The receiver cannot cancel, the sender cannot decline, a third user can do neither.
    expectError(await api.delete(`${V}/contacts/requests/${r1.body.id}`, b.token), 404, 'REQUEST_NOT_FOUND');
    expectError(await api.post(`${V}/contacts/requests/${r1.body.id}/decline`, {}, a.token), 404, 'REQUEST_NOT_FOUND');
    expectError(await api.post(`${V}/contacts/requests/${r1.body.id}/decline`, {}, c.token), 404, 'REQUEST_NOT_FOUND');
    const declined = await api.post(`${V}/contacts/requests/${r1.body.id}/decline`, {}, b.token);
    expect(declined.status).toBe(200);
    expect(declined.body.status).toBe('declined');
    const canceled = await api.delete(`${V}/contacts/requests/${r2.body.id}`, a.token);
    expect(canceled.body.status).toBe('canceled');
    expectError(await api.post(`${V}/contacts/requests/${r2.body.id}/accept`, {}, c.token), 404, 'REQUEST_NOT_FOUND');
    expect((await api.get(`${V}/contacts/requests?direction=out`, a.token)).body.items).toEqual([]);
    expect((await eventsOf(s, b.user.id)).map((e) => e.kind)).toEqual(['contact.request', 'contact.declined']);
    expect((await eventsOf(s, c.user.id)).map((e) => e.kind)).toEqual(['contact.request', 'contact.canceled']);
    expect((await api.get(`${V}/contacts`, a.token)).body.items).toEqual([]);
    // After a decline a new request may be sent.
    expect((await api.post(`${V}/contacts/requests`, { userId: b.user.id }, a.token)).status).toBe(201);
  });

  it('friends list with remark and online flag; removing ends both sides', async () => {
    const { api } = s;
    const [a, b, c] = await users(api, 'hal', 'ivy', 'jon');
    await befriend(api, a, b);
    clock.advance(1000); // friends are listed oldest friendship first
    await befriend(api, a, c);
    await presenceOf(s).connect(b.user.id, 'conn-1');
    const remark = await api.patch(`${V}/contacts/${b.user.id}`, { remark: 'Ivy from work' }, a.token);
    expect(remark.status).toBe(200);
    expect(remark.body).toMatchObject({ id: b.user.id, remark: 'Ivy from work', online: true });
    const list = await api.get(`${V}/contacts`, a.token);
    expect(list.body.items.map((f: any) => [f.id, f.remark, f.online])).toEqual([
      [b.user.id, 'Ivy from work', true],
      [c.user.id, '', false],
    ]);
    // The remark is mine alone.
    expect((await api.get(`${V}/contacts`, b.token)).body.items[0].remark).toBe('');
    await presenceOf(s).disconnect(b.user.id, 'conn-1');

    // Paging: one per page.
    const p1 = await api.get(`${V}/contacts?limit=1`, a.token);
    expect(p1.body.items).toHaveLength(1);
    const p2 = await api.get(`${V}/contacts?limit=1&cursor=${p1.body.next}`, a.token);
    expect(p2.body.items.map((f: any) => f.id)).toEqual([c.user.id]);
    expectError(await api.get(`${V}/contacts?cursor=bogus`, a.token), 400, 'VALIDATION_FAILED');
    expectError(await api.get(`${V}/contacts?limit=0`, a.token), 400, 'VALIDATION_FAILED');

    expect((await api.delete(`${V}/contacts/${a.user.id}`, b.token)).status).toBe(200);
    expect((await api.get(`${V}/contacts`, a.token)).body.items.map((f: any) => f.id)).toEqual([c.user.id]);
    expect((await api.get(`${V}/contacts`, b.token)).body.items).toEqual([]);
    expect((await eventsOf(s, a.user.id)).at(-1)).toMatchObject({
      kind: 'contact.removed',
      payload: { userId: b.user.id, by: b.user.id },
    });
    expectError(await api.delete(`${V}/contacts/${b.user.id}`, a.token), 403, 'NOT_FRIENDS');
    expectError(await api.patch(`${V}/contacts/${b.user.id}`, { remark: 'x' }, a.token), 403, 'NOT_FRIENDS');
    expectError(
      await api.patch(`${V}/contacts/${c.user.id}`, { remark: 'x'.repeat(65) }, a.token),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('blocks: pending requests end, the blocked user gets only a generic refusal', async () => {
    const { api } = s;
    const [a, b, c] = await users(api, 'kim', 'lou', 'max');
    const req = await api.post(`${V}/contacts/requests`, { userId: b.user.id }, a.token);
    expect((await api.put(`${V}/blocks/${a.user.id}`, {}, b.token)).status).toBe(200);
    expect((await api.put(`${V}/blocks/${a.user.id}`, {}, b.token)).status).toBe(200); // idempotent
    // A's request looks declined to A (nothing says "blocked").
    expect((await api.get(`${V}/contacts/requests?direction=out`, a.token)).body.items).toEqual([]);
    const aEvents = await eventsOf(s, a.user.id);
    expect(aEvents.map((e) => e.kind)).toEqual(['contact.request', 'contact.declined']);
    expect(JSON.stringify(aEvents)).not.toMatch(/block/i);
    expectError(await api.post(`${V}/contacts/requests/${req.body.id}/accept`, {}, b.token), 404, 'REQUEST_NOT_FOUND');

    const refused = await api.post(`${V}/contacts/requests`, { userId: b.user.id }, a.token);
    expectError(refused, 403, 'FORBIDDEN');
    expect(refused.body.error.message).toBe('You cannot send a request to this user');
    expect(JSON.stringify(refused.body)).not.toMatch(/block/i);
    // The blocker is told why (they know already).
    expectError(await api.post(`${V}/contacts/requests`, { userId: a.user.id }, b.token), 403, 'BLOCKED');

    const list = await api.get(`${V}/blocks`, b.token);
    expect(list.body.items).toMatchObject([{ id: a.user.id, username: a.username }]);
    expect((await api.get(`${V}/blocks`, a.token)).body.items).toEqual([]);
    expectError(await api.put(`${V}/blocks/${b.user.id}`, {}, b.token), 400, 'CANNOT_TARGET_SELF');
    expectError(await api.put(`${V}/blocks/${'0'.repeat(26)}`, {}, b.token), 404, 'USER_NOT_FOUND');

    expect((await api.delete(`${V}/blocks/${a.user.id}`, b.token)).status).toBe(200);
    expect((await api.delete(`${V}/blocks/${a.user.id}`, b.token)).status).toBe(200);
    expect((await api.get(`${V}/blocks`, b.token)).body.items).toEqual([]);
    expect((await api.post(`${V}/contacts/requests`, { userId: b.user.id }, a.token)).status).toBe(201);

    // A friend who blocks you still looks like a friend: the answer does not change.
    await befriend(api, c, b);
    await api.put(`${V}/blocks/${c.user.id}`, {}, b.token);
    expectError(await api.post(`${V}/contacts/requests`, { userId: b.user.id }, c.token), 409, 'ALREADY_FRIENDS');
    const blockedRow = await db(s)
      .selectFrom('blocks')
      .selectAll()
      .where('user_id', '=', b.user.id)
      .where('blocked_id', '=', c.user.id)
      .executeTakeFirst();
    expect(blockedRow).toBeDefined();
  });

  it('limits requests per day, and the limit resets the next day', async () => {
    const { api } = s;
    const [a, ...others] = await users(api, 'ned', 'o1', 'o2', 'o3', 'o4', 'o5');
    for (const o of others.slice(0, 4))
      expect((await api.post(`${V}/contacts/requests`, { userId: o.user.id }, a.token)).status).toBe(201);
    const limited = await api.post(`${V}/contacts/requests`, { userId: others[4]!.user.id }, a.token);
    expectError(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Refused requests do not count, and nothing was written for the limited one.
    expect((await api.get(`${V}/contacts/requests`, others[4]!.token)).body.items).toEqual([]);
    // Paging through the outgoing list (newest first).
    const p1 = await api.get(`${V}/contacts/requests?direction=out&limit=3`, a.token);
    const p2 = await api.get(`${V}/contacts/requests?direction=out&limit=3&cursor=${p1.body.next}`, a.token);
    expect([...p1.body.items, ...p2.body.items].map((r: any) => r.to.id).sort()).toEqual(
      others
        .slice(0, 4)
        .map((o) => o.user.id)
        .sort(),
    );
    expect(p2.body.next).toBeUndefined();
    clock.advance(86_400_000);
    expect((await api.post(`${V}/contacts/requests`, { userId: others[4]!.user.id }, a.token)).status).toBe(201);
  });

  it('the daily limit is exact under a burst: 60 concurrent requests against 50 store exactly 50', async () => {
    const burst = await startServer({ db: s.db, config: { friendRequestsPerDay: 50 } });
    try {
      const { api } = burst;
      const [a, ...others] = await users(api, 'burst', ...Array.from({ length: 60 }, (_, i) => `t${i}`));
      const rs = await Promise.all(
        others.map((o) => api.post(`${V}/contacts/requests`, { userId: o.user.id }, a.token)),
      );
      const codes = rs.map((r) => (r.status === 201 ? 201 : `${r.status} ${r.body.error.code}`));
      expect(codes.filter((c) => c === 201)).toHaveLength(50);
      expect(codes.filter((c) => c === '429 RATE_LIMITED')).toHaveLength(10);
      for (const r of rs.filter((x) => x.status === 429))
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      const stored = await db(burst)
        .selectFrom('contact_requests')
        .select('id')
        .where('from_id', '=', a.user.id)
        .execute();
      expect(stored).toHaveLength(50);
    } finally {
      await burst.close();
    }
  });

  it('two racing decisions: exactly one wins; crossing requests: exactly one is created', async () => {
    const { api } = s;
    const [a, b, c, d] = await users(api, 'pat', 'quin', 'ray', 'sue');
    const r = await api.post(`${V}/contacts/requests`, { userId: b.user.id }, a.token);
    const results = await Promise.all([
      api.post(`${V}/contacts/requests/${r.body.id}/accept`, {}, b.token),
      api.post(`${V}/contacts/requests/${r.body.id}/decline`, {}, b.token),
      api.delete(`${V}/contacts/requests/${r.body.id}`, a.token),
    ]);
    expect(results.filter((x) => x.status === 200)).toHaveLength(1);
    expect(results.filter((x) => x.status === 404)).toHaveLength(2);

    const cross = await Promise.all([
      api.post(`${V}/contacts/requests`, { userId: d.user.id }, c.token),
      api.post(`${V}/contacts/requests`, { userId: c.user.id }, d.token),
    ]);
    expect(cross.map((x) => x.status).sort()).toEqual([201, 409]);
  });

  it('a block racing a request never leaves a pending request behind', async () => {
    const { api } = s;
    for (let i = 0; i < 3; i++) {
      const [a, b] = await users(api, 'ra', 'rb');
      const [req, blk] = await Promise.all([
        api.post(`${V}/contacts/requests`, { userId: b.user.id }, a.token),
        api.put(`${V}/blocks/${a.user.id}`, {}, b.token),
      ]);
      expect(blk.status).toBe(200);
      expect([201, 403]).toContain(req.status);
      expect((await api.get(`${V}/contacts/requests?direction=out`, a.token)).body.items).toEqual([]);
      expect((await api.get(`${V}/contacts/requests`, b.token)).body.items).toEqual([]);
    }
  });

  it('needs a token for every contacts route', async () => {
    for (const [m, p] of [
      ['GET', '/contacts'],
      ['GET', '/blocks'],
      ['POST', '/contacts/requests'],
      ['GET', '/contacts/requests'],
    ] as const) {
      expectError(await s.api.req(m, V + p, m === 'POST' ? { body: {} } : {}), 401, 'UNAUTHENTICATED');
    }
  });
});
