import { type Kysely, sql } from 'kysely';
import type { DialectName } from './db.js';
import type { EntryRow } from './log.js';
import type { Database } from './schema.js';

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
   * Moves the member's delivered position forward to `seq` (never back), creating the member
   * row when missing. Returns the stored position and whether this call moved it.
   */
  markDelivered(
    conversationId: string,
    userId: string,
    seq: number,
    now: number,
  ): Promise<{ seq: number; moved: boolean }>;
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

  async markDelivered(conversationId: string, userId: string, seq: number, now: number) {
    const insert = this.db.insertInto('conversation_members').values({
      conversation_id: conversationId,
      user_id: userId,
      read_seq: 0,
      muted: 0,
      pinned: 0,
      joined_seq: 0,
      left_seq: null,
      updated_at: now,
    });
    await (this.dialect === 'mysql'
      ? insert.onDuplicateKeyUpdate({ user_id: sql`user_id` })
      : insert.onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doNothing())
    ).execute();
    // The conditional update is the monotonic rule: a late or replayed report changes nothing.
    const r = await this.db
      .updateTable('conversation_members')
      .set({ delivered_seq: seq })
      .where('conversation_id', '=', conversationId)
      .where('user_id', '=', userId)
      .where('delivered_seq', '<', seq)
      .executeTakeFirst();
    const moved = Number(r.numUpdatedRows ?? 0) > 0;
    if (moved) return { seq, moved };
    const row = await this.db
      .selectFrom('conversation_members')
      .select('delivered_seq')
      .where('conversation_id', '=', conversationId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return { seq: Number(row?.delivered_seq ?? 0), moved: false };
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
