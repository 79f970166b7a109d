import type { RateLimiter } from '../bus/rate-limiter.js';
import { fail } from '../domain/errors.js';

/**
 * A token-bucket budget: `count` at once, refilled at `perSecond` (the `Rate` settings have
 * this shape: `PARLEY_REGISTER_RATE`, `PARLEY_LOOKUP_RATE`, …).
 */
export interface Budget {
  readonly count: number;
  readonly perSecond: number;
}

/** The same budget `n` times over (the per-address share of a per-user limit, say). */
export const timesBudget = (b: Budget, n: number): Budget => ({ count: b.count * n, perSecond: b.perSecond * n });

/**
 * Takes one token from `key`'s bucket, or refuses with `429 RATE_LIMITED` and the time until
 * one is back (`Retry-After`). The buckets live in the {@link RateLimiter} (Redis in a cluster),
 * so a limit holds across nodes; a limiter that cannot be reached refuses with `UNAVAILABLE`
 * rather than letting the request through unmetered.
 */
export async function throttle(limiter: RateLimiter, key: string, budget: Budget, message: string): Promise<void> {
  const r = await limiter.take(key, budget.perSecond, budget.count);
  if (!r.ok) throw fail('RATE_LIMITED', message, { retryAfterMs: r.retryAfterMs });
}
