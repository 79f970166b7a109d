import type { Transaction } from 'kysely';
import { MAX_EMOJI_PER_MESSAGE, MAX_PINS_PER_CONVERSATION } from '../domain/marks.js';
import type { Database } from './schema.js';

/** A reaction or pin change carried by a `react`/`unreact`/`pin`/`unpin` entry. */
export type MarkEffect =
  | { type: 'react'; emoji: string }
  | { type: 'unreact'; emoji: string }
  | { type: 'pin' }
  | { type: 'unpin' };

/** The codes a refused mark answers besides CONFLICT. */
export type MarkRefusal = 'TOO_MANY_REACTIONS' | 'TOO_MANY_PINS';

export function isMarkEffect(e: { type: string } | undefined): e is MarkEffect {
  return e !== undefined && (e.type === 'react' || e.type === 'unreact' || e.type === 'pin' || e.type === 'unpin');
}

interface Item {
  senderId: string;
  targetSeq?: number;
  effect?: { type: string };
}

type Counts = Map<string, { count: number; firstAt: number }>;
const mineKey = (seq: number, user: string, emoji: string) => `${seq}\u0000${user}\u0000${emoji}`;

/**
 * The reaction and pin state of one conversation's targets as read inside the committing
 * transaction (the conversation row is locked on PostgreSQL/MySQL; SQLite has one writer), then
 * moved forward item by item in batch order: so of two identical reactions, or a reaction that
 * would be the 21st emoji, the one that comes second is refused, whichever devices or nodes sent
 * them. {@link check} answers a refusal, or records the entry body (the counts after the change).
 */
export class MarkState {
  private constructor(
    private readonly counts: Map<number, Counts>,
    private readonly mine: Set<string>,
    private readonly pinned: Set<number>,
    private readonly now: number,
  ) {}

  static async load(trx: Transaction<Database>, cid: string, items: readonly Item[], now: number) {
    const marks = items.filter((it) => isMarkEffect(it.effect) && it.targetSeq != null);
    const reactSeqs = [...new Set(marks.filter((it) => it.effect!.type.endsWith('react')).map((it) => it.targetSeq!))];
    const senders = [...new Set(marks.map((it) => it.senderId))];
    const counts = new Map<number, Counts>();
    const mine = new Set<string>();
    if (reactSeqs.length) {
      const rows = await trx
        .selectFrom('reaction_counts')
        .select(['seq', 'emoji', 'count', 'first_at'])
        .where('conversation_id', '=', cid)
        .where('seq', 'in', reactSeqs)
        .orderBy('seq')
        .orderBy('first_at')
        .orderBy('emoji')
        .execute();
      for (const r of rows) {
        const m = counts.get(Number(r.seq)) ?? new Map();
        m.set(r.emoji, { count: Number(r.count), firstAt: Number(r.first_at) });
        counts.set(Number(r.seq), m);
      }
      const own = await trx
        .selectFrom('reactions')
        .select(['seq', 'user_id', 'emoji'])
        .where('conversation_id', '=', cid)
        .where('seq', 'in', reactSeqs)
        .where('user_id', 'in', senders)
        .execute();
      for (const r of own) mine.add(mineKey(Number(r.seq), r.user_id, r.emoji));
    }
    const pinned = new Set<number>();
    if (marks.some((it) => it.effect!.type.endsWith('pin'))) {
      const rows = await trx.selectFrom('message_pins').select('seq').where('conversation_id', '=', cid).execute();
      for (const r of rows) pinned.add(Number(r.seq));
    }
    return new MarkState(counts, mine, pinned, now);
  }

  /** Applies one item to the state; a refusal leaves the state as it was. */
  check(
    senderId: string,
    seq: number,
    effect: MarkEffect,
  ): { reason: string; code?: MarkRefusal } | { body: Record<string, unknown> } {
    if (effect.type === 'pin') {
      if (this.pinned.has(seq)) return { reason: 'The message is already pinned' };
      if (this.pinned.size >= MAX_PINS_PER_CONVERSATION)
        return {
          reason: `At most ${MAX_PINS_PER_CONVERSATION} pinned messages per conversation`,
          code: 'TOO_MANY_PINS',
        };
      this.pinned.add(seq);
      return { body: {} };
    }
    if (effect.type === 'unpin') {
      if (!this.pinned.delete(seq)) return { reason: 'The message is not pinned' };
      return { body: {} };
    }
    const k = mineKey(seq, senderId, effect.emoji);
    const counts = this.counts.get(seq) ?? new Map();
    const cur = counts.get(effect.emoji);
    if (effect.type === 'react') {
      if (this.mine.has(k)) return { reason: 'You already reacted with this emoji' };
      if (!cur && counts.size >= MAX_EMOJI_PER_MESSAGE)
        return { reason: `At most ${MAX_EMOJI_PER_MESSAGE} different emoji per message`, code: 'TOO_MANY_REACTIONS' };
      this.mine.add(k);
      counts.set(effect.emoji, { count: (cur?.count ?? 0) + 1, firstAt: cur?.firstAt ?? this.now });
    } else {
      if (!this.mine.delete(k) || !cur) return { reason: 'You have not reacted with this emoji' };
      if (cur.count <= 1) counts.delete(effect.emoji);
      else cur.count -= 1;
    }
    this.counts.set(seq, counts);
    return {
      body: { emoji: effect.emoji, reactions: [...counts].map(([emoji, c]) => ({ emoji, count: c.count })) },
    };
  }
}

/** Writes one checked reaction or pin change (in the transaction that appends its entry). */
export async function applyMark(
  trx: Transaction<Database>,
  cid: string,
  seq: number,
  effect: MarkEffect,
  userId: string,
  now: number,
): Promise<void> {
  switch (effect.type) {
    case 'pin':
      await trx
        .insertInto('message_pins')
        .values({ conversation_id: cid, seq, pinned_by: userId, pinned_at: now })
        .execute();
      return;
    case 'unpin':
      await trx.deleteFrom('message_pins').where('conversation_id', '=', cid).where('seq', '=', seq).execute();
      return;
    case 'react': {
      const { emoji } = effect;
      await trx
        .insertInto('reactions')
        .values({ conversation_id: cid, seq, emoji, user_id: userId, created_at: now })
        .execute();
      const r = await trx
        .updateTable('reaction_counts')
        .set((eb) => ({ count: eb('count', '+', 1) }))
        .where('conversation_id', '=', cid)
        .where('seq', '=', seq)
        .where('emoji', '=', emoji)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0)
        await trx
          .insertInto('reaction_counts')
          .values({ conversation_id: cid, seq, emoji, count: 1, first_at: now })
          .execute();
      return;
    }
    case 'unreact': {
      const { emoji } = effect;
      await trx
        .deleteFrom('reactions')
        .where('conversation_id', '=', cid)
        .where('seq', '=', seq)
        .where('emoji', '=', emoji)
        .where('user_id', '=', userId)
        .execute();
      const here = trx
        .updateTable('reaction_counts')
        .where('conversation_id', '=', cid)
        .where('seq', '=', seq)
        .where('emoji', '=', emoji);
      await here.set((eb) => ({ count: eb('count', '-', 1) })).execute();
      await trx
        .deleteFrom('reaction_counts')
        .where('conversation_id', '=', cid)
        .where('seq', '=', seq)
        .where('emoji', '=', emoji)
        .where('count', '<=', 0)
        .execute();
    }
  }
}

/**
 * Forgets the reactions and pin of messages that are gone: `upTo` set, every seq up to it
 * (retention removed them); otherwise just `seq` (recalled: its content is gone, and so are
 * the reactions to it and its place among the pins).
 */
export async function clearMarks(trx: Transaction<Database>, cid: string, seq: number, upTo = false): Promise<void> {
  for (const table of ['reactions', 'reaction_counts', 'message_pins'] as const) {
    await trx
      .deleteFrom(table)
      .where('conversation_id', '=', cid)
      .where('seq', upTo ? '<=' : '=', seq)
      .execute();
  }
}
