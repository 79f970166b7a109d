import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';

/** The shared Redis the Redis-backed suites use (`PARLEY_TEST_REDIS`, default the machine's). */
export const TEST_REDIS_URL = process.env.PARLEY_TEST_REDIS ?? 'redis://127.0.0.1:6379';

/** Answers whether a Redis answers PING at `url` within a second. */
export async function redisReachable(url = TEST_REDIS_URL): Promise<boolean> {
  const u = new URL(url);
  const ok = await new Promise<boolean>((resolve) => {
    const s = net.connect({ host: u.hostname, port: Number(u.port || 6379) });
    const t = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, 1000);
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => {
      clearTimeout(t);
      s.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    s.once('error', () => {
      clearTimeout(t);
      resolve(false);
    });
  });
  return ok;
}

/**
 * Decides whether the Redis suites run. Under `CI=true` an unreachable Redis throws, so the
 * suite FAILS; elsewhere the suites are skipped and the reason is printed.
 */
export async function redisForTests(suite: string): Promise<boolean> {
  if (await redisReachable()) return true;
  const why = `${suite}: Redis at ${TEST_REDIS_URL} is unreachable`;
  if (process.env.CI === 'true') throw new Error(`${why} (CI=true: Redis suites must run)`);
  console.warn(`SKIPPING Redis variants — ${why}. Start Redis or set PARLEY_TEST_REDIS.`);
  return false;
}

/** A key prefix no other run uses; letters and digits only, so it is safe in a SCAN pattern. */
export function uniquePrefix(tag = 't'): string {
  return `parleytest${tag}${Date.now().toString(36)}${randomBytes(4).toString('hex')}:`;
}

/** Deletes every key under `prefix` (the test run's own keys only). */
export async function deletePrefix(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

/** Polls until `check()` is true; fails with `what` after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
