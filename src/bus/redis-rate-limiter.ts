import type { Redis } from 'ioredis';
import type { Clock } from '../domain/clock.js';
import { fail } from '../domain/errors.js';
import type { RateLimiter } from './rate-limiter.js';

/**
 * Token bucket, atomically in Redis. The bucket is a hash {t: tokens, a: last update ms} that
 * expires once it would be full again, so idle keys cost nothing. Time comes from Redis itself
 * (`TIME`) unless the caller passes `now`, so nodes with skewed clocks still share one rate.
 * A take asks for `want` ≥ `cost` tokens and is granted as many as the bucket holds up to
 * `want` (never fewer than `cost`, or none): the node keeps the surplus as a lease.
 */
const TAKE = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local want = tonumber(ARGV[5])
local now
if ARGV[4] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
else
  now = tonumber(ARGV[4])
end
local b = redis.call('HMGET', KEYS[1], 't', 'a')
local tokens = tonumber(b[1])
local at = tonumber(b[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
if now > at then
  tokens = math.min(burst, tokens + (now - at) * rate / 1000)
  at = now
end
local ok = 0
local retry = 0
local grant = 0
if tokens >= cost then
  grant = math.max(cost, math.min(want, math.floor(tokens)))
  tokens = tokens - grant
  ok = 1
else
  retry = math.ceil((cost - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 't', string.format('%.17g', tokens), 'a', string.format('%d', at))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
return {ok, retry, grant}
`;

type WithTake = Redis & {
  parleyTake(
    key: string,
    rate: number,
    burst: number,
    cost: number,
    now: string,
    want: number,
  ): Promise<[number, number, number]>;
};

export interface RedisRateLimiterOptions {
  /** A command connection (not owned: the caller closes it). */
  client: Redis;
  prefix: string;
  /** Take time from this clock instead of Redis `TIME` (tests use a ManualClock). */
  clock?: Clock;
}

/** A lease lives this long; unused tokens then go back to nobody (the bucket refills anyway). */
const LEASE_MS = 1000;
/** A lease is at most this share of the burst, and at most a second of the rate. */
const LEASE_SHARE = 8;

/**
 * {@link RateLimiter} shared by every node through Redis, so a user's rate holds across
 * sockets, REST and nodes. Keys are `<prefix>rl:<key>`. When Redis is unreachable `take`
 * rejects at once with an `UNAVAILABLE` AppError (a send is then refused with 503 rather than
 * let through unmetered).
 *
 * Local leases: a take that goes to Redis also asks for a lease of up to a share of the
 * burst (`burst / 8`, at most `rate` tokens), held by this node for a second; the next takes
 * of that key are served from it without a round trip. Tokens only ever come out of the one
 * shared bucket, so across the cluster no more than the burst plus the rate is admitted;
 * what a lease costs is that another node may be refused while this one holds up to
 * `burst / 8 - 1` unused tokens for at most a second. Bursts under 16 lease nothing (every
 * take is exact). With the defaults (20/s, burst 40) a busy sender costs one `EVALSHA` per 5
 * messages instead of one per message (BENCHMARKS.md, scaleout). While the Redis connection
 * is not ready no lease is used, so every take is refused with `UNAVAILABLE` as before.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly client: WithTake;
  private readonly leases = new Map<string, { tokens: number; until: number }>();
  private readonly fetching = new Map<string, Promise<{ ok: boolean; retryAfterMs: number }>>();
  private sweepAt = 0;

  constructor(private readonly opts: RedisRateLimiterOptions) {
    const c = opts.client as WithTake;
    if (typeof c.parleyTake !== 'function') c.defineCommand('parleyTake', { numberOfKeys: 1, lua: TAKE });
    this.client = c;
  }

  async take(key: string, rate: number, burst: number, cost = 1) {
    const lease = Math.min(Math.floor(burst / LEASE_SHARE), Math.floor(rate));
    if (lease <= 1) return this.fetch(key, rate, burst, cost, cost, this.opts.clock?.now() ?? Date.now());
    for (;;) {
      const local = this.opts.clock?.now() ?? Date.now();
      const held = this.leases.get(key);
      // No lease while the connection is down: a take is then refused, as without leases.
      if (held && held.until > local && held.tokens >= cost && this.client.status === 'ready') {
        held.tokens -= cost;
        return { ok: true, retryAfterMs: 0 };
      }
      // One lease request per key at a time: takes arriving meanwhile wait for its lease
      // instead of each leasing its own (which would drain the bucket into leases).
      const pending = this.fetching.get(key);
      if (pending) {
        await pending.catch(() => {});
        continue;
      }
      this.sweep(local);
      const p = this.fetch(key, rate, burst, cost, cost + lease - 1, local);
      this.fetching.set(key, p);
      try {
        return await p;
      } finally {
        this.fetching.delete(key);
      }
    }
  }

  private async fetch(key: string, rate: number, burst: number, cost: number, want: number, local: number) {
    const now = this.opts.clock ? String(local) : '';
    let reply: [number, number, number];
    try {
      reply = await this.client.parleyTake(`${this.opts.prefix}rl:${key}`, rate, burst, cost, now, want);
    } catch (err) {
      // A coded error, so a send is refused with 503 UNAVAILABLE rather than a 500.
      throw fail('UNAVAILABLE', `rate limiter unavailable: ${(err as Error).message}`);
    }
    const ok = reply[0] === 1;
    const surplus = ok ? Number(reply[2]) - cost : 0;
    if (surplus > 0) {
      const held = this.leases.get(key);
      if (held && held.until > local) held.tokens += surplus;
      else this.leases.set(key, { tokens: surplus, until: local + LEASE_MS });
    }
    return { ok, retryAfterMs: Number(reply[1]) };
  }

  /** Forgets expired leases now and then, so keys seen once do not accumulate. */
  private sweep(now: number) {
    if (now < this.sweepAt) return;
    this.sweepAt = now + 60_000;
    for (const [k, l] of this.leases) if (l.until <= now) this.leases.delete(k);
  }

  async close() {
    // The connection belongs to the caller.
  }
}
