import { type Kysely, type Selectable, type Transaction, sql } from 'kysely';
import { INSERT_CHUNK, chunks } from './chunks.js';
import type { DialectName } from './db.js';
import type { Database, EntriesTable, UserEventsTable } from './schema.js';

/**
 * The two append-only logs, as helpers that run inside a caller's transaction so an entry or
 * event commits atomically with the change it describes (a member added and the "Alice added
 * Bob" entry, a request accepted and both users' events).
 */
export type EntryRow = Selectable<EntriesTable>;
export type UserEventRow = Selectable<UserEventsTable>;
type Tx = Transaction<Database> | Kysely<Database>;

export interface NewEntry {
  id: string;
  senderId: string | null;
  clientId: string | null;
  kind: string;
  body: unknown;
  targetSeq?: number | null;
}

/** Creates the conversation row if it does not exist yet (idempotent, race-safe). */
export async function ensureConversation(
  trx: Tx,
  dialect: DialectName,
  id: string,
  kind: 'dm' | 'group',
  now: number,
): Promise<void> {
  const insert = trx
    .insertInto('conversations')
    .values({ id, kind, max_seq: 0, min_seq: 1, created_at: now, last_at: now });
  await (dialect === 'mysql'
    ? insert.onDuplicateKeyUpdate({ id: sql`id` })
    : insert.onConflict((oc) => oc.column('id').doNothing())
  ).execute();
}

/**
 * Appends entries to a conversation with the next seqs, gap-free. The `UPDATE … max_seq + n`
 * takes the conversation's row lock until the transaction ends, so concurrent writers on any
 * node serialize on it and seqs are unique and contiguous. The conversation must exist.
 */
export async function appendEntries(
  trx: Tx,
  conversationId: string,
  entries: readonly NewEntry[],
  now: number,
): Promise<EntryRow[]> {
  if (entries.length === 0) return [];
  await trx
    .updateTable('conversations')
    .set((eb) => ({ max_seq: eb('max_seq', '+', entries.length), last_at: now }))
    .where('id', '=', conversationId)
    .execute();
  const { max_seq } = await trx
    .selectFrom('conversations')
    .select('max_seq')
    .where('id', '=', conversationId)
    .executeTakeFirstOrThrow();
  const first = Number(max_seq) - entries.length + 1;
  const rows: EntryRow[] = entries.map((e, i) => ({
    conversation_id: conversationId,
    seq: first + i,
    id: e.id,
    sender_id: e.senderId,
    client_id: e.clientId,
    kind: e.kind,
    body: JSON.stringify(e.body ?? {}),
    target_seq: e.targetSeq ?? null,
    created_at: now,
    edited_at: null,
    recalled_at: null,
  }));
  // Chunked so a large batch stays under every dialect's bound-parameter limit.
  for (const chunk of chunks(rows, INSERT_CHUNK)) await trx.insertInto('entries').values(chunk).execute();
  return rows;
}

/** Appends one event to each user's event log, each with that user's next event seq. */
export async function appendUserEvents(
  trx: Tx,
  userIds: readonly string[],
  kind: string,
  payload: unknown,
  now: number,
): Promise<UserEventRow[]> {
  const out: UserEventRow[] = [];
  const text = JSON.stringify(payload ?? {});
  for (const userId of [...new Set(userIds)].sort()) {
    await trx
      .updateTable('users')
      .set((eb) => ({ event_seq: eb('event_seq', '+', 1) }))
      .where('id', '=', userId)
      .execute();
    const u = await trx.selectFrom('users').select('event_seq').where('id', '=', userId).executeTakeFirst();
    if (!u) continue;
    const row: UserEventRow = { user_id: userId, seq: Number(u.event_seq), kind, payload: text, created_at: now };
    await trx.insertInto('user_events').values(row).execute();
    out.push(row);
  }
  return out;
}
