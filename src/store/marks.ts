import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** One message's reactions, per emoji in the order first added. */
export interface ReactionTally {
  emoji: string;
  count: number;
  /** The asking user is among them. */
  me: boolean;
}

export interface ReactorRow {
  userId: string;
  emoji: string;
  ts: number;
}

export interface PinRow {
  seq: number;
  pinnedBy: string;
  pinnedAt: number;
}

/**
 * Reads of the reaction and pin state (written only by the entry log, with the entries that
 * change it: see entry-marks.ts). No authorization here: callers pass seqs the user may read.
 */
export interface MarksRepo {
  /** The tallies of the given messages for `userId` (messages without reactions are absent), and which are pinned. */
  tallies(
    conversationId: string,
    seqs: readonly number[],
    userId: string,
  ): Promise<{ reactions: Map<number, ReactionTally[]>; pinned: Set<number> }>;
  /**
   * Who reacted to one message (one emoji, or all), oldest first, keyset-paged after
   * `(ts, userId, emoji)` exclusive; at most `limit` rows.
   */
  reactors(
    conversationId: string,
    seq: number,
    q: { emoji?: string; after?: { ts: number; userId: string; emoji: string }; limit: number },
  ): Promise<ReactorRow[]>;
  /** The pinned messages of a conversation with `floor < seq <= ceil`, latest pin first. */
  pins(conversationId: string, floor: number, ceil: number): Promise<PinRow[]>;
}

export class KyselyMarksRepo implements MarksRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async tallies(conversationId: string, seqs: readonly number[], userId: string) {
    const reactions = new Map<number, ReactionTally[]>();
    const pinned = new Set<number>();
    if (seqs.length === 0) return { reactions, pinned };
    const list = [...seqs];
    const [counts, mine, pins] = await Promise.all([
      this.db
        .selectFrom('reaction_counts')
        .select(['seq', 'emoji', 'count'])
        .where('conversation_id', '=', conversationId)
        .where('seq', 'in', list)
        .orderBy('seq')
        .orderBy('first_at')
        .orderBy('emoji')
        .execute(),
      this.db
        .selectFrom('reactions')
        .select(['seq', 'emoji'])
        .where('conversation_id', '=', conversationId)
        .where('user_id', '=', userId)
        .where('seq', 'in', list)
        .execute(),
      this.db
        .selectFrom('message_pins')
        .select('seq')
        .where('conversation_id', '=', conversationId)
        .where('seq', 'in', list)
        .execute(),
    ]);
    const own = new Set(mine.map((r) => `${r.seq}\u0000${r.emoji}`));
    for (const r of counts) {
      const seq = Number(r.seq);
      const t = reactions.get(seq) ?? [];
      t.push({ emoji: r.emoji, count: Number(r.count), me: own.has(`${seq}\u0000${r.emoji}`) });
      reactions.set(seq, t);
    }
    for (const r of pins) pinned.add(Number(r.seq));
    return { reactions, pinned };
  }

  async reactors(
    conversationId: string,
    seq: number,
    q: { emoji?: string; after?: { ts: number; userId: string; emoji: string }; limit: number },
  ): Promise<ReactorRow[]> {
    let query = this.db
      .selectFrom('reactions')
      .select(['user_id', 'emoji', 'created_at'])
      .where('conversation_id', '=', conversationId)
      .where('seq', '=', seq);
    if (q.emoji !== undefined) query = query.where('emoji', '=', q.emoji);
    const a = q.after;
    if (a)
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '>', a.ts),
          eb.and([eb('created_at', '=', a.ts), eb('user_id', '>', a.userId)]),
          eb.and([eb('created_at', '=', a.ts), eb('user_id', '=', a.userId), eb('emoji', '>', a.emoji)]),
        ]),
      );
    const rows = await query.orderBy('created_at').orderBy('user_id').orderBy('emoji').limit(q.limit).execute();
    return rows.map((r) => ({ userId: r.user_id, emoji: r.emoji, ts: Number(r.created_at) }));
  }

  async pins(conversationId: string, floor: number, ceil: number): Promise<PinRow[]> {
    const rows = await this.db
      .selectFrom('message_pins')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('seq', '>', floor)
      .where('seq', '<=', ceil)
      .orderBy('pinned_at', 'desc')
      .orderBy('seq', 'desc')
      .execute();
    return rows.map((r) => ({ seq: Number(r.seq), pinnedBy: r.pinned_by, pinnedAt: Number(r.pinned_at) }));
  }
}
