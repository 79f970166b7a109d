import { type Kysely, sql } from 'kysely';
import type { DialectName } from './db.js';
import type { Database } from './schema.js';

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
    // One upsert: a fresh window restarts at 1, a live one counts up. Atomic on every dialect.
    const live = sql<boolean>`throttles.window_start > ${now - windowMs}`;
    const count = sql<number>`case when ${live} then throttles.count + 1 else 1 end`;
    const start = sql<number>`case when ${live} then throttles.window_start else ${now} end`;
    const insert = this.db.insertInto('throttles').values({ key, count: 1, window_start: now });
    await (this.dialect === 'mysql'
      ? // MySQL assigns left to right, so `count` must be computed before `window_start` moves.
        insert.onDuplicateKeyUpdate({ count, window_start: start })
      : insert.onConflict((oc) => oc.column('key').doUpdateSet({ count, window_start: start }))
    ).execute();
    const row = await this.db.selectFrom('throttles').select('count').where('key', '=', key).executeTakeFirst();
    return row?.count ?? 1;
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
