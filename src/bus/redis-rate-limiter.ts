import type { Redis } from 'ioredis';
import type { Clock } from '../domain/clock.js';
import { fail } from '../domain/errors.js';
import type { RateLimiter } from './rate-limiter.js';

/**
 * Token bucket, atomically in Redis. The bucket is a hash {t: tokens, a: last update ms} that
 * expires once it would be full again, so idle keys cost nothing. Time comes from Redis itself
 * (`TIME`) unless the caller passes `now`, so nodes with skewed clocks still share one rate.
 */
const TAKE = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
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
if tokens >= cost then
  tokens = tokens - cost
  ok = 1
else
  retry = math.ceil((cost - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 't', string.format('%.17g', tokens), 'a', string.format('%d', at))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
return {ok, retry}
`;

type WithTake = Redis & {
  parleyTake(key: string, rate: number, burst: number, cost: number, now: string): Promise<[number, number]>;
};

export interface RedisRateLimiterOptions {
  /** A command connection (not owned: the caller closes it). */
  client: Redis;
  prefix: string;
  /** Take time from this clock instead of Redis `TIME` (tests use a ManualClock). */
  clock?: Clock;
}

/**
 * {@link RateLimiter} shared by every node through Redis: one Lua script per `take`, so a user's
 * rate holds across sockets, REST and nodes. Keys are `<prefix>rl:<key>`. When Redis is
 * unreachable `take` rejects at once with an `UNAVAILABLE` AppError (a send is then refused
 * with 503 rather than let through unmetered).
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly client: WithTake;

  constructor(private readonly opts: RedisRateLimiterOptions) {
    const c = opts.client as WithTake;
    if (typeof c.parleyTake !== 'function') c.defineCommand('parleyTake', { numberOfKeys: 1, lua: TAKE });
    this.client = c;
  }

  async take(key: string, rate: number, burst: number, cost = 1) {
    const now = this.opts.clock ? String(this.opts.clock.now()) : '';
    let reply: [number, number];
    try {
      reply = await this.client.parleyTake(`${this.opts.prefix}rl:${key}`, rate, burst, cost, now);
    } catch (err) {
      // A coded error, so a send is refused with 503 UNAVAILABLE rather than a 500.
      throw fail('UNAVAILABLE', `rate limiter unavailable: ${(err as Error).message}`);
    }
    return { ok: reply[0] === 1, retryAfterMs: Number(reply[1]) };
  }

  async close() {
    // The connection belongs to the caller.
  }
}
