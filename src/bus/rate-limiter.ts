import type { Clock } from '../domain/clock.js';

/**
 * Token buckets by key (e.g. `msg:<userId>`), shared by every transport so the per-user
 * message rate holds across sockets and REST, and across nodes when backed by Redis.
 *
 * Contract (rate limiter conformance suite): a fresh key allows `burst` takes at once; after
 * that, `rate` per second refill; `take` never blocks and answers how long to wait when refused.
 */
export interface RateLimiter {
  take(key: string, rate: number, burst: number, cost?: number): Promise<{ ok: boolean; retryAfterMs: number }>;
  close(): Promise<void>;
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private sweepAt = 0;

  constructor(private readonly clock: Clock) {}

  async take(key: string, rate: number, burst: number, cost = 1) {
    const now = this.clock.now();
    // Sweep first: it forgets full buckets, and the one being taken from must not be forgotten
    // after its tokens were spent (that lost the first take of every sweep period).
    this.sweep(now, rate, burst);
    const b = this.buckets.get(key) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) * rate) / 1000);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= cost) {
      b.tokens -= cost;
      return { ok: true, retryAfterMs: 0 };
    }
    return { ok: false, retryAfterMs: Math.ceil(((cost - b.tokens) * 1000) / rate) };
  }

  /** Forgets full buckets now and then so idle keys do not accumulate. */
  private sweep(now: number, rate: number, burst: number) {
    if (now < this.sweepAt) return;
    this.sweepAt = now + 60_000;
    for (const [k, b] of this.buckets) {
      if (b.tokens + ((now - b.at) * rate) / 1000 >= burst) this.buckets.delete(k);
    }
  }

  async close() {
    this.buckets.clear();
  }
}
