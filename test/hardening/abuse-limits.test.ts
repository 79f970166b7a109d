import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rate } from '../../src/config-spec.js';
import type { PasswordHasher } from '../../src/services/passwords.js';
import { FastHasher } from '../support/fast-hasher.js';
import { type ApiReply, type TestServer, registerUser, startServer } from '../support/server.js';
import { V, befriend, users } from '../social/helpers.js';

/** A 429 as every limit answers it: the coded body, temporary, and a whole-second Retry-After. */
function expectLimited(r: ApiReply) {
  expect(r.status, JSON.stringify(r.body)).toBe(429);
  expect(r.body.error).toMatchObject({ code: 'RATE_LIMITED', temporary: true });
  expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
}

const statuses = (rs: ApiReply[]) => rs.map((r) => r.status).sort();
let n = 0;
const signUp = (s: TestServer, headers: Record<string, string> = {}) =>
  s.api.req('POST', `${V}/auth/register`, {
    body: { username: `burst${Date.now().toString(36)}${n++}`, password: 'correct horse battery', nickname: 'b' },
    headers,
  });

describe('registration per address', () => {
  let s: TestServer;
  beforeAll(async () => {
    // Behind a (trusted) proxy, so the test can speak from several addresses over loopback.
    s = await startServer({ config: { registerRate: rate('5/1h'), trustProxy: true } });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('lets a concurrent burst from one address through up to the limit, then 429 with Retry-After', async () => {
    const from = { 'x-forwarded-for': '203.0.113.7' };
    const rs = await Promise.all(Array.from({ length: 12 }, () => signUp(s, from)));
    expect(statuses(rs)).toEqual([...Array(5).fill(201), ...Array(7).fill(429)]);
    for (const r of rs.filter((x) => x.status === 429)) expectLimited(r);
    // Only the admitted ones exist.
    const made = await s.app.store.conn.db.selectFrom('users').select('id').execute();
    expect(made.length).toBe(5);
    // Another address has its own budget.
    expect((await signUp(s, { 'x-forwarded-for': '198.51.100.9' })).status).toBe(201);
  });
});

/** Holds every hash until released, counting how many run at once; verify is immediate. */
class HeldHasher implements PasswordHasher {
  private readonly inner = new FastHasher();
  running = 0;
  most = 0;
  started = 0;
  private held: (() => void)[] = [];
  hold = false;

  async hash(password: string) {
    this.started++;
    this.running++;
    this.most = Math.max(this.most, this.running);
    try {
      if (this.hold) await new Promise<void>((go) => this.held.push(go));
      return await this.inner.hash(password);
    } finally {
      this.running--;
    }
  }
  verify(stored: string, password: string) {
    return this.inner.verify(stored, password);
  }
  release() {
    this.hold = false;
    for (const go of this.held.splice(0)) go();
  }
}

describe('password hashes per node', () => {
  const hasher = new HeldHasher();
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ hasher, config: { hashConcurrency: 2 } });
  });
  afterAll(async () => {
    hasher.release();
    await s?.close();
  });

  it('runs at most PARLEY_HASH_CONCURRENCY at once, and a login does not wait behind them', async () => {
    const known = await registerUser(s.api, 'known');
    hasher.most = 0;
    hasher.started = 0;
    hasher.hold = true;
    const burst = Array.from({ length: 8 }, () => signUp(s));
    await expect.poll(() => hasher.started).toBe(2);
    // Every hash slot is taken and six sign-ups wait: a login still answers.
    const login = await s.api.post(`${V}/auth/login`, { login: known.username, password: known.password });
    expect(login.status).toBe(200);
    expect(hasher.started).toBe(2);
    hasher.release();
    expect(statuses(await Promise.all(burst))).toEqual(Array(8).fill(201));
    expect(hasher.most).toBe(2);
  });
});

describe('cheap endpoints per actor', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({
      config: {
        lookupRate: rate('4/1m'),
        conversationWriteRate: rate('5/1m'),
        groupCreateRate: rate('3/1h'),
        groupAddRate: rate('2/1h'),
      },
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('user lookups: per user, then per address at 5× (enumeration by one account or many)', async () => {
    const [a, ...others] = await users(s.api, 'look', 'l1', 'l2', 'l3', 'l4', 'l5');
    const look = (u: typeof a, q: string) => s.api.get(`${V}/users?q=${encodeURIComponent(q)}`, u.token);
    const mine = await Promise.all(['+1555000', '+1555001', '+1555002', '+1555003', '+1555004'].map((q) => look(a, q)));
    expect(statuses(mine)).toEqual([200, 200, 200, 200, 429]);
    expectLimited(mine.find((r) => r.status === 429)!);
    // Five more accounts on the same address, each within its own 4: the address runs out at 20.
    let ok = 4;
    const refused: ApiReply[] = [];
    for (const u of others)
      for (let i = 0; i < 4; i++) {
        const r = await look(u, `+1666${i}`);
        if (r.status === 200) ok++;
        else refused.push(r);
      }
    expect(ok).toBe(20);
    expect(refused.length).toBe(4);
    for (const r of refused) expectLimited(r);
  });

  it('conversation flags and read positions share one per-user bucket', async () => {
    const [a, b] = await users(s.api, 'cw', 'cw2');
    await befriend(s.api, a, b);
    const cid = `dm:${[a.user.id, b.user.id].sort().join(':')}`;
    const path = `${V}/conversations/${encodeURIComponent(cid)}`;
    const rs: ApiReply[] = [];
    for (let i = 0; i < 3; i++) rs.push(await s.api.patch(path, { pinned: i % 2 === 0 }, a.token));
    for (let i = 0; i < 3; i++) rs.push(await s.api.post(`${path}/read`, { seq: 0 }, a.token));
    expect(rs.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429]);
    expectLimited(rs[5]!);
    expectLimited(await s.api.patch(path, { muted: true }, a.token));
    // The other member's budget is their own.
    expect((await s.api.patch(path, { muted: true }, b.token)).status).toBe(200);
  });

  it('group creation and adding people to groups, per actor', async () => {
    const [owner, f1, f2, f3] = await users(s.api, 'gown', 'gf1', 'gf2', 'gf3');
    for (const f of [f1, f2, f3]) await befriend(s.api, owner, f);
    // A creation with members spends one creation and one addition.
    const g = await s.api.post(`${V}/groups`, { name: 'first', userIds: [f1.user.id] }, owner.token);
    expect(g.status).toBe(201);
    expect((await s.api.post(`${V}/groups/${g.body.id}/members`, { userIds: [f2.user.id] }, owner.token)).status).toBe(
      200,
    );
    expectLimited(await s.api.post(`${V}/groups/${g.body.id}/members`, { userIds: [f3.user.id] }, owner.token));
    expectLimited(await s.api.post(`${V}/groups`, { name: 'with', userIds: [f3.user.id] }, owner.token));
    // The creation refused for its members spent no creation: two more pass, the fourth does not.
    expect((await s.api.post(`${V}/groups`, { name: 'second' }, owner.token)).status).toBe(201);
    expect((await s.api.post(`${V}/groups`, { name: 'third' }, owner.token)).status).toBe(201);
    expectLimited(await s.api.post(`${V}/groups`, { name: 'fourth' }, owner.token));
    const owned = await s.app.store.conn.db
      .selectFrom('chat_groups')
      .select('id')
      .where('owner_id', '=', owner.user.id)
      .execute();
    expect(owned.length).toBe(3);
  });
});
