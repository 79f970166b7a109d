import type { Kysely, Transaction } from 'kysely';
import type { DialectName } from './db.js';
import { isRetryable } from './dialect.js';
import { type UserEventRow, appendUserEvents } from './log.js';
import type { Database } from './schema.js';

/**
 * Transaction plumbing shared by the contacts and groups repositories: a retried transaction,
 * a portable "insert unless the key exists", and per-user events described by the service and
 * appended inside the same transaction as the change they announce.
 */
export type Trx = Transaction<Database>;

/** One kind of event for some users; the service builds the payload, the store appends it. */
export interface EventSpec {
  userIds: readonly string[];
  kind: string;
  payload: unknown;
}

/**
 * Runs `fn` in one transaction. Deadlocks and serialization failures (possible on PostgreSQL and
 * MySQL when two membership changes touch the same users) are retried a few times; anything
 * else rolls back and propagates, so a failed call leaves nothing half-written.
 */
export async function runTx<T>(db: Kysely<Database>, dialect: DialectName, fn: (trx: Trx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(fn);
    } catch (e) {
      if (attempt >= 4 || !isRetryable(e, dialect)) throw e;
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.floor(Math.random() * 10)));
    }
  }
}

/** Inserts a row unless one with the same primary/unique key exists; true when inserted. */
export async function insertIgnore<T extends 'contacts' | 'blocks' | 'conversation_members' | 'media_usage'>(
  trx: Trx | Kysely<Database>,
  dialect: DialectName,
  table: T,
  values: Database[T],
  keyCols: readonly (keyof Database[T] & string)[],
): Promise<boolean> {
  const insert = (trx as Kysely<Database>).insertInto(table as 'contacts').values(values as Database['contacts']);
  // MySQL: INSERT IGNORE reports 0 affected rows for a duplicate (ON DUPLICATE KEY cannot tell).
  const res = await (dialect === 'postgres'
    ? insert.onConflict((oc) => oc.columns(keyCols as never).doNothing())
    : insert.orIgnore()
  ).executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Appends each spec's event to its users' logs, in order. */
export async function appendEvents(trx: Trx, specs: readonly EventSpec[], now: number): Promise<UserEventRow[]> {
  const out: UserEventRow[] = [];
  for (const s of specs)
    if (s.userIds.length) out.push(...(await appendUserEvents(trx, s.userIds, s.kind, s.payload, now)));
  return out;
}

/**
 * Locks users' rows, in id order, for the rest of the transaction: contact changes between two
 * users serialize on them (a block racing a request sees it), and the fixed order avoids
 * deadlocks with the event log, which locks the same rows in the same order.
 */
export async function lockUsers(trx: Trx, ids: readonly string[]): Promise<void> {
  for (const id of [...new Set(ids)].sort()) {
    await trx
      .updateTable('users')
      .set((eb) => ({ event_seq: eb.ref('event_seq') }))
      .where('id', '=', id)
      .execute();
  }
}
