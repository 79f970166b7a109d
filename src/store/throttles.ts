import { type Kysely, sql } from 'kysely';
import { fail } from '../domain/errors.js';
import type { DialectName } from './db.js';
import type { Database } from './schema.js';
import type { Trx } from './social-tx.js';

/** A fixed-window allowance checked and spent inside a write's own transaction. */
export interface Quota {
  key: string;
  windowMs: number;
  max: number;
  /** The refusal's text (`429 RATE_LIMITED`, `Retry-After` = the rest of the window). */
  message: string;
}

/**
 * Raises the window counter of `key` (one upsert: a fresh window restarts at 1, a live one
 * counts up; atomic on every dialect) and returns the count and window it landed in.
 */
async function raise(db: Kysely<Database>, dialect: DialectName, key: string, windowMs: number, now: number) {
  const live = sql<boolean>`throttles.window_start > ${now - windowMs}`;
  const count = sql<number>`case when ${live} then throttles.count + 1 else 1 end`;
  const start = sql<number>`case when ${live} then throttles.window_start else ${now} end`;
  const insert = db.insertInto('throttles').values({ key, count: 1, window_start: now });
  await (dialect === 'mysql'
    ? // MySQL assigns left to right, so `count` must be computed before `window_start` moves.
      insert.onDuplicateKeyUpdate({ count, window_start: start })
    : insert.onConflict((oc) => oc.column('key').doUpdateSet({ count, window_start: start }))
  ).execute();
  const row = await db
    .selectFrom('throttles')
    .select(['count', 'window_start'])
    .where('key', '=', key)
    .executeTakeFirst();
  return { count: Number(row?.count ?? 1), windowStart: Number(row?.window_start ?? now) };
}

/**
 * Spends one of `quota` inside `trx`, or refuses with `RATE_LIMITED`. The raised counter row
 * stays locked until the transaction ends, so concurrent writers of one key queue on it and
 * each sees the others' spending: the check and the insert it guards commit together, or (on
 * a refusal or any later failure) roll back together. This is what makes a limit exact under
 * a burst of concurrent requests, where counting first and inserting after let them all pass.
 */
export async function spendQuota(trx: Trx, dialect: DialectName, quota: Quota, now: number): Promise<void> {
  const { count, windowStart } = await raise(trx, dialect, quota.key, quota.windowMs, now);
  if (count > quota.max)
    throw fail('RATE_LIMITED', quota.message, { retryAfterMs: Math.max(1000, windowStart + quota.windowMs - now) });
}

/**
 * Fixed-window counters kept in the database, so a limit holds across every node sharing it
 * (login throttling, friend requests per day). Redis can replace this when configured.
 */
export interface ThrottleRepo {
  /** Current count in the window that contains `now` (0 if none). */
  count(key: string, windowMs: number, now: number): Promise<number>;
  /** Adds one to the window that contains `now`; returns the new count. */
  hit(key: string, windowMs: number, now: number): Promise<number>;
  reset(key: string): Promise<void>;
  /** Takes back one hit of the live window (never below 0); for attempts counted up front that succeeded. */
  release(key: string, windowMs: number, now: number): Promise<void>;
}

export class KyselyThrottleRepo implements ThrottleRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  async count(key: string, windowMs: number, now: number) {
    const row = await this.db.selectFrom('throttles').selectAll().where('key', '=', key).executeTakeFirst();
    if (!row || row.window_start + windowMs <= now) return 0;
    return row.count;
  }

  async hit(key: string, windowMs: number, now: number) {
    return (await raise(this.db, this.dialect, key, windowMs, now)).count;
  }

  async release(key: string, windowMs: number, now: number) {
    await this.db
      .updateTable('throttles')
      .set((eb) => ({ count: eb('count', '-', 1) }))
      .where('key', '=', key)
      .where('count', '>', 0)
      .where('window_start', '>', now - windowMs)
      .execute();
  }

  async reset(key: string) {
    await this.db.deleteFrom('throttles').where('key', '=', key).execute();
  }
}
