import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryRateLimiter, type RateLimiter } from '../../src/bus/rate-limiter.js';
import { closeRedis, openRedis } from '../../src/bus/redis-client.js';
import { RedisRateLimiter } from '../../src/bus/redis-rate-limiter.js';
import { ManualClock } from '../../src/domain/clock.js';
import { TEST_REDIS_URL, deletePrefix, redisForTests, sleep, uniquePrefix } from '../support/redis.js';

interface LimiterImpl {
  name: string;
  /** Two "nodes" reading one clock; `shared` says whether they share buckets (a cluster). */
  make(clock: ManualClock): [RateLimiter, RateLimiter];
  shared: boolean;
}

const withRedis = await redisForTests('rate limiter conformance');
const prefix = uniquePrefix('rl');
let clients: Redis[] = [];

const impls: LimiterImpl[] = [
  { name: 'memory', shared: false, make: (clock) => [new MemoryRateLimiter(clock), new MemoryRateLimiter(clock)] },
];
if (withRedis) {
  impls.push({
    name: 'redis',
    shared: true,
    make: (clock) =>
      clients.map((client) => new RedisRateLimiter({ client, prefix, clock })) as unknown as [RateLimiter, RateLimiter],
  });
}

beforeAll(async () => {
  if (!withRedis) return;
  clients = [openRedis({ url: TEST_REDIS_URL, prefix }, 'rl-a'), openRedis({ url: TEST_REDIS_URL, prefix }, 'rl-b')];
  await Promise.all(clients.map((c) => new Promise((r) => (c.status === 'ready' ? r(null) : c.once('ready', r)))));
});
afterAll(async () => {
  for (const c of clients) await closeRedis(c);
  if (withRedis) await deletePrefix(prefix);
});

let n = 0;
const key = () => `msg:k${n++}`;

describe.each(impls)('RateLimiter conformance: $name', (impl) => {
  it('allows a burst, then refuses with the time until the next token', async () => {
    const clock = new ManualClock();
    const [a] = impl.make(clock);
    const k = key();
    for (let i = 0; i < 5; i++) expect(await a.take(k, 2, 5)).toEqual({ ok: true, retryAfterMs: 0 });
    expect(await a.take(k, 2, 5)).toEqual({ ok: false, retryAfterMs: 500 });
    clock.advance(200);
    expect(await a.take(k, 2, 5)).toEqual({ ok: false, retryAfterMs: 300 });
  });

  it('refills at the rate and never above the burst', async () => {
    const clock = new ManualClock();
    const [a] = impl.make(clock);
    const k = key();
    for (let i = 0; i < 4; i++) await a.take(k, 10, 4);
    expect((await a.take(k, 10, 4)).ok).toBe(false);
    clock.advance(250); // 2.5 tokens
    expect((await a.take(k, 10, 4)).ok).toBe(true);
    expect((await a.take(k, 10, 4)).ok).toBe(true);
    expect((await a.take(k, 10, 4)).ok).toBe(false);
    clock.advance(60_000); // long idle: back to the burst, not 600 tokens
    let ok = 0;
    for (let i = 0; i < 10; i++) if ((await a.take(k, 10, 4)).ok) ok++;
    expect(ok).toBe(4);
  });

  it('keeps keys apart and honours cost', async () => {
    const clock = new ManualClock();
    const [a] = impl.make(clock);
    const k1 = key(),
      k2 = key();
    expect((await a.take(k1, 1, 3, 3)).ok).toBe(true);
    expect(await a.take(k1, 1, 3, 1)).toEqual({ ok: false, retryAfterMs: 1000 });
    expect((await a.take(k2, 1, 3, 2)).ok).toBe(true);
    expect(await a.take(k2, 1, 3, 2)).toEqual({ ok: false, retryAfterMs: 1000 });
  });

  it(
    impl.shared ? 'holds one budget across nodes' : 'keeps one budget per node (single-node implementation)',
    async () => {
      const clock = new ManualClock();
      const [a, b] = impl.make(clock);
      const k = key();
      for (let i = 0; i < 3; i++) expect((await a.take(k, 1, 6)).ok).toBe(true);
      let okOnB = 0;
      for (let i = 0; i < 6; i++) if ((await b.take(k, 1, 6)).ok) okOnB++;
      expect(okOnB).toBe(impl.shared ? 3 : 6);
    },
  );

  it('honours a large burst exactly on one node (where the Redis limiter leases tokens)', async () => {
    const clock = new ManualClock();
    const [a] = impl.make(clock);
    const k = key();
    for (let i = 0; i < 80; i++) expect((await a.take(k, 10, 80)).ok).toBe(true);
    expect(await a.take(k, 10, 80)).toEqual({ ok: false, retryAfterMs: 100 });
    clock.advance(1000); // 10 tokens back
    let ok = 0;
    for (let i = 0; i < 20; i++) if ((await a.take(k, 10, 80)).ok) ok++;
    expect(ok).toBe(10);
  });
});

describe.skipIf(!withRedis)('RedisRateLimiter leases', () => {
  it('never admits more than the burst across nodes; a lease is held for a second at most', async () => {
    const clock = new ManualClock();
    const a = new RedisRateLimiter({ client: clients[0]!, prefix, clock });
    const b = new RedisRateLimiter({ client: clients[1]!, prefix, clock });
    const k = key();
    // Burst 80, rate 10: a lease is 10 tokens. A's first take leases 9 more.
    expect((await a.take(k, 10, 80)).ok).toBe(true);
    let onB = 0;
    for (let i = 0; i < 100; i++) if ((await b.take(k, 10, 80)).ok) onB++;
    expect(onB).toBe(70);
    let onA = 0;
    for (let i = 0; i < 100; i++) if ((await a.take(k, 10, 80)).ok) onA++;
    expect(onA).toBe(9); // its lease, and nothing beyond the shared budget
    // A lease not used within a second is gone: after 1 s B gets what the bucket refilled.
    expect((await a.take(k, 10, 80)).ok).toBe(false);
    clock.advance(1000);
    let again = 0;
    for (let i = 0; i < 20; i++) if ((await b.take(k, 10, 80)).ok) again++;
    expect(again).toBe(10);
    expect((await a.take(k, 10, 80)).ok).toBe(false);
  });

  it('makes one round trip per lease, not per take', async () => {
    const [client] = clients;
    const limiter = new RedisRateLimiter({ client: client!, prefix });
    const k = key();
    let calls = 0;
    const send = client!.sendCommand.bind(client);
    client!.sendCommand = ((cmd: { name: string }, ...rest: unknown[]) => {
      if (cmd.name === 'evalsha' || cmd.name === 'eval') calls++;
      return (send as (...x: unknown[]) => unknown)(cmd, ...rest);
    }) as typeof send;
    try {
      for (let i = 0; i < 40; i++) expect((await limiter.take(k, 20, 40)).ok).toBe(true);
    } finally {
      client!.sendCommand = send;
    }
    expect(calls).toBe(8); // leases of 5 (burst 40 / 8)
  });

  it('uses no lease while the connection is down: the take is refused as UNAVAILABLE', async () => {
    const own = openRedis({ url: TEST_REDIS_URL, prefix }, 'rl-down');
    await new Promise((r) => (own.status === 'ready' ? r(null) : own.once('ready', r)));
    const limiter = new RedisRateLimiter({ client: own, prefix });
    const k = key();
    expect((await limiter.take(k, 10, 80)).ok).toBe(true); // and 9 more leased
    const ended = new Promise((r) => own.once('end', r));
    own.disconnect();
    await ended;
    await expect(limiter.take(k, 10, 80)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await closeRedis(own);
  });

  it('takes arriving together share one lease instead of each draining the bucket', async () => {
    const [client, other] = clients;
    const a = new RedisRateLimiter({ client: client!, prefix });
    const b = new RedisRateLimiter({ client: other!, prefix });
    const k = key();
    // 30 takes in one tick on A (burst 80, leases of 10): three leases, nothing held back beyond.
    const got = await Promise.all(Array.from({ length: 30 }, () => a.take(k, 10, 80)));
    expect(got.every((r) => r.ok)).toBe(true);
    let onB = 0;
    for (let i = 0; i < 100; i++) if ((await b.take(k, 10, 80)).ok) onB++;
    // 50 left for B, give or take the token or two refilled while this test ran.
    expect(onB).toBeGreaterThanOrEqual(50);
    expect(onB).toBeLessThanOrEqual(52);
  });
});

describe.skipIf(!withRedis)('RedisRateLimiter on Redis time', () => {
  it('refills by the server clock and expires idle buckets', async () => {
    const [client] = clients;
    const limiter = new RedisRateLimiter({ client: client!, prefix });
    const k = key();
    for (let i = 0; i < 3; i++) expect((await limiter.take(k, 20, 3)).ok).toBe(true);
    const refused = await limiter.take(k, 20, 3);
    expect(refused.ok).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(50);
    await sleep(refused.retryAfterMs + 20);
    expect((await limiter.take(k, 20, 3)).ok).toBe(true);
    const ttl = await client!.pttl(`${prefix}rl:${k}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3 * 50 + 1000);
  });
});
