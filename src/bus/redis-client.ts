import { Redis } from 'ioredis';
import { type Logger, silentLogger } from '../domain/logger.js';

/** What every Redis-backed implementation is built from. */
export interface RedisOptions {
  /** `redis://[user:pass@]host:port[/db]` or `rediss://…`. */
  url: string;
  /**
   * Prepended to every key and channel (e.g. `parley:`), so several deployments or test runs
   * can share one Redis without seeing each other.
   */
  prefix: string;
  log?: Logger;
  /** Longest wait between reconnection attempts (they back off up to this). Default 2000 ms. */
  retryMaxMs?: number;
  /** A command without a reply after this fails (a blackholed connection). Default 5000 ms. */
  commandTimeoutMs?: number;
  /**
   * How often an idle-looking connection is PINGed; a PING without a reply within the command
   * timeout drops the connection and reconnects, so a silently dead network (no RST) is
   * noticed. Default 5000 ms.
   */
  pingIntervalMs?: number;
}

const watchdogs = new WeakMap<Redis, NodeJS.Timeout>();

export const loggerOf = (o: RedisOptions) => o.log ?? silentLogger;

/**
 * One ioredis connection with Parley's failure policy:
 * - it reconnects by itself forever, backing off up to `retryMaxMs`;
 * - nothing is queued while disconnected (`enableOfflineQueue: false`): a command fails at
 *   once, so callers learn Redis is gone instead of building an unbounded backlog;
 * - a command in flight when the connection drops fails at the drop and is never resent
 *   (`maxRetriesPerRequest: 0`, no automatic resend): a PUBLISH resent after a reconnect
 *   could be delivered twice, and a Lua script that did run must not run again;
 * - commands issued in the same tick go out in one write (auto-pipelining).
 */
export function openRedis(o: RedisOptions, role: string): Redis {
  const log = loggerOf(o);
  const max = o.retryMaxMs ?? 2000;
  const client = new Redis(o.url, {
    connectionName: `parley-${role}`,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), max),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    autoResubscribe: false,
    enableAutoPipelining: true,
    commandTimeout: o.commandTimeoutMs ?? 5000,
    connectTimeout: Math.max(1000, Math.min(10_000, o.commandTimeoutMs ?? 5000)),
  });
  let wasReady = false;
  client.on('ready', () => {
    if (wasReady) log.info({ role }, 'redis reconnected');
    wasReady = true;
  });
  // Without a listener ioredis prints every connection error; one line per outage is enough.
  let reported = false;
  client.on('error', (err: Error) => {
    if (reported) return;
    reported = true;
    log.warn({ role, err: err.message }, 'redis connection error; reconnecting');
  });
  client.on('ready', () => {
    reported = false;
  });
  const watchdog = setInterval(() => {
    if (client.status !== 'ready') return;
    client.ping().catch((err: Error) => {
      if (client.status !== 'ready' || !/timed out/i.test(err.message)) return;
      log.warn({ role }, 'redis did not answer PING; reconnecting');
      client.disconnect(true);
    });
  }, o.pingIntervalMs ?? 5000);
  watchdog.unref();
  watchdogs.set(client, watchdog);
  return client;
}

/** Closes a connection politely if it can, at once otherwise. */
export async function closeRedis(client: Redis): Promise<void> {
  clearInterval(watchdogs.get(client));
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      /* fall through */
    }
  }
  client.disconnect();
}

/** Resolves when `check()` holds, polling; rejects after `timeoutMs`. For startup and tests. */
export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves once the connection is ready; rejects after `timeoutMs` (it keeps retrying after). */
export function redisReady(client: Redis, timeoutMs = 10_000): Promise<void> {
  return waitFor(() => client.status === 'ready', timeoutMs, 'Redis');
}
