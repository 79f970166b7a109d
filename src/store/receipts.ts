import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import { chunks } from './chunks.js';
import type { DialectName } from './db.js';
import type { EntryRow } from './log.js';
import type { Database } from './schema.js';

/** A delivered position to move forward: "`userId`'s devices received `conversationId` up to `seq`". */
export interface DeliveredMark {
  conversationId: string;
  userId: string;
  seq: number;
}

/** Pairs per statement: keeps bound parameters far under every dialect's limit. */
const MARKS_PER_QUERY = 100;

/** One member's positions, as the seen computations read them. */
export interface ReaderRow {
  userId: string;
  readSeq: number;
  joinedSeq: number;
  leftSeq: number | null;
}

/**
 * Delivery positions and the read-position reads behind "seen by". No row is written per
 * message and reader: everything is derived from each member's `read_seq` / `delivered_seq`.
 */
export interface ReceiptRepo {
  /**
   * Moves each member's delivered position forward to its `seq` (never back), creating member
   * rows that are missing, all in one transaction (the delivery writer batches the reports of
   * many sockets). Returns, per item in order, the stored position and whether it moved.
   * Items should name distinct (conversation, user) pairs.
   */
  markDelivered(items: readonly DeliveredMark[], now: number): Promise<{ seq: number; moved: boolean }[]>;
  /**
   * Members other than `exclude` whose read position reached `atLeast` (`read_seq >= atLeast`),
   * with their join/leave bounds, at most `limit`, ordered by user id after `afterUser`.
   */
  readers(
    conversationId: string,
    atLeast: number,
    exclude: string,
    afterUser: string | undefined,
    limit: number,
  ): Promise<ReaderRow[]>;
  /** The entries of these seqs that exist (any order; at most 200 seqs). */
  entries(conversationId: string, seqs: readonly number[]): Promise<EntryRow[]>;
}

export class KyselyReceiptRepo implements ReceiptRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  async markDelivered(items: readonly DeliveredMark[], now: number) {
    if (items.length === 0) return [];
    const key = (cid: string, user: string) => `${cid}\u0000${user}`;
    const before = new Map<string, number>();
    // In key order, so two nodes locking the same rows lock them in the same order (no deadlock).
    const sorted = [...items].sort((a, b) => {
      const x = key(a.conversationId, a.userId);
      const y = key(b.conversationId, b.userId);
      return x < y ? -1 : x > y ? 1 : 0;
    });
    await this.db.transaction().execute(async (trx) => {
      for (const part of chunks(sorted, MARKS_PER_QUERY)) {
        const insert = trx.insertInto('conversation_members').values(
          part.map((m) => ({
            conversation_id: m.conversationId,
            user_id: m.userId,
            read_seq: 0,
            muted: 0,
            pinned: 0,
            joined_seq: 0,
            left_seq: null,
            updated_at: now,
          })),
        );
        await (this.dialect === 'mysql'
          ? insert.onDuplicateKeyUpdate({ user_id: sql`user_id` })
          : insert.onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doNothing())
        ).execute();
        const pairs = (eb: ExpressionBuilder<Database, 'conversation_members'>) =>
          eb.or(part.map((m) => eb.and([eb('conversation_id', '=', m.conversationId), eb('user_id', '=', m.userId)])));
        // Locked (PostgreSQL, MySQL) so "moved" is exact when another node reports the same pair.
        let read = trx
          .selectFrom('conversation_members')
          .select(['conversation_id', 'user_id', 'delivered_seq'])
          .where(pairs);
        if (this.dialect !== 'sqlite') read = read.forUpdate();
        for (const r of await read.execute()) before.set(key(r.conversation_id, r.user_id), Number(r.delivered_seq));
        const moving = part.filter((m) => m.seq > (before.get(key(m.conversationId, m.userId)) ?? 0));
        if (moving.length === 0) continue;
        // The conditional update is the monotonic rule: a late or replayed report changes nothing.
        await trx
          .updateTable('conversation_members')
          .set({
            delivered_seq: sql<number>`case ${sql.join(
              moving.map(
                (m) => sql`when conversation_id = ${m.conversationId} and user_id = ${m.userId} then ${m.seq}`,
              ),
              sql` `,
            )} else delivered_seq end`,
          })
          .where((eb) =>
            eb.or(
              moving.map((m) =>
                eb.and([
                  eb('conversation_id', '=', m.conversationId),
                  eb('user_id', '=', m.userId),
                  eb('delivered_seq', '<', m.seq),
                ]),
              ),
            ),
          )
          .execute();
      }
    });
    return items.map((m) => {
      const was = before.get(key(m.conversationId, m.userId)) ?? 0;
      return m.seq > was ? { seq: m.seq, moved: true } : { seq: was, moved: false };
    });
  }

  async readers(
    conversationId: string,
    atLeast: number,
    exclude: string,
    afterUser: string | undefined,
    limit: number,
  ) {
    let q = this.db
      .selectFrom('conversation_members')
      .select(['user_id', 'read_seq', 'joined_seq', 'left_seq'])
      .where('conversation_id', '=', conversationId)
      .where('read_seq', '>=', atLeast)
      .where('user_id', '!=', exclude);
    if (afterUser !== undefined) q = q.where('user_id', '>', afterUser);
    const rows = await q.orderBy('user_id').limit(limit).execute();
    return rows.map((r) => ({
      userId: r.user_id,
      readSeq: Number(r.read_seq),
      joinedSeq: Number(r.joined_seq),
      leftSeq: r.left_seq == null ? null : Number(r.left_seq),
    }));
  }

  async entries(conversationId: string, seqs: readonly number[]) {
    if (seqs.length === 0) return [];
    return this.db
      .selectFrom('entries')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('seq', 'in', seqs.slice(0, 200))
      .execute();
  }
}
