import type { PublicUser } from '@parley/client';
import { MESSAGE_KINDS } from '@parley/client';
import { dmPeer } from '../domain/conversation-id.js';
import { fail } from '../domain/errors.js';
import type { ReaderRow } from '../store/receipts.js';
import type { ConversationAccess } from './conversation-access.js';
import type { ServiceDeps } from './deps.js';
import { DeliveryWriter } from './delivery-writer.js';
import { throttle, timesBudget } from './throttle.js';
import { publicUser } from './users-view.js';

/** One page of the members who saw a message. */
export interface SeenPage {
  /** How many members saw it in all (every page says the same). */
  count: number;
  items: PublicUser[];
  /** Pass as `after` for the next page. */
  next?: string;
}

/** Readers scanned per database read: a group at the member limit takes a few reads. */
const SCAN_PAGE = 1000;
const MESSAGE = new Set<string>(MESSAGE_KINDS);

/**
 * Delivery and seen status, derived from the per-member positions (no row per message and
 * reader). Rules: a delivered position only moves forward and is told live to the DM peer
 * (unless one of the two blocked the other); groups keep no delivered position (the frame is
 * accepted and ignored). "Seen" is asked by the sender of a message only: members other than the
 * sender whose read position reached the seq and who were members when it was written
 * (`joined_seq < seq`, not left before it), minus members who blocked the sender.
 */
export class ReceiptService {
  private readonly delivered: DeliveryWriter;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly access: ConversationAccess,
  ) {
    // perf (BENCHMARKS.md, "Third round", 18): its own window, longer than the messages' one:
    // a delivered tick 20 ms later is invisible, and at 2,000 msgs/s the 2 ms one spent 3–6
    // points of the core on commits of a few marks each.
    this.delivered = new DeliveryWriter(deps.store.receipts, deps.clock, deps.config.receiptWindow);
  }

  /** Writes the delivered positions still queued. */
  close(): Promise<void> {
    return this.delivered.close();
  }

  async markDelivered(
    userId: string,
    cid: string,
    seq: number,
  ): Promise<{ conversation: string; deliveredSeq: number }> {
    if (!Number.isSafeInteger(seq) || seq < 0) throw fail('VALIDATION_FAILED', 'seq must be a non-negative integer');
    const { limiter, config, notify } = this.deps;
    // Every chat's catch-up may report at once: a wider budget than read positions, its own bucket.
    await throttle(
      limiter,
      `received:${userId}`,
      timesBudget(config.conversationWriteRate, 4),
      'Too many delivery reports; slow down',
    );
    const view = await this.access.canRead(userId, cid);
    const peer = dmPeer(view.ref, userId);
    if (peer === undefined) return { conversation: cid, deliveredSeq: 0 };
    const out = await this.delivered.mark({ conversationId: cid, userId, seq: Math.min(seq, view.ceil) });
    if (out.moved && !(await this.access.blockedPair(userId, peer))) {
      await notify.toUsers([peer], { type: 'delivered', conversation: cid, userId, seq: out.seq });
    }
    return { conversation: cid, deliveredSeq: out.seq };
  }

  /** "Seen by N" for the caller's own messages among `seqs`; other seqs are left out. */
  async seenCounts(userId: string, cid: string, seqs: readonly number[]): Promise<{ seq: number; count: number }[]> {
    const view = await this.access.canRead(userId, cid);
    const mine = await this.ownMessages(userId, cid, view, seqs);
    if (mine.length === 0) return [];
    const readers = await this.eligibleReaders(userId, cid, Math.min(...mine));
    return mine.map((seq) => ({ seq, count: readers.filter((r) => sawIt(r, seq)).length }));
  }

  /** Who saw the caller's message `seq`, by user id, `limit` per page after the `after` cursor. */
  async seenBy(userId: string, cid: string, seq: number, after: string | undefined, limit: number): Promise<SeenPage> {
    const view = await this.access.canRead(userId, cid);
    const [own] = await this.ownMessages(userId, cid, view, [seq]);
    if (own === undefined) {
      // Not revealing more than the sender rule: someone else's message and a missing one differ
      // only in what the caller can already read.
      throw fail('FORBIDDEN', 'Only the sender of a message sees who saw it');
    }
    const saw = (await this.eligibleReaders(userId, cid, seq)).filter((r) => sawIt(r, seq));
    const from = after === undefined ? 0 : saw.findIndex((r) => r.userId > after);
    const page = from < 0 ? [] : saw.slice(from, from + limit);
    const users = new Map((await this.deps.store.users.byIds(page.map((r) => r.userId))).map((u) => [u.id, u]));
    const items = page.flatMap((r) => {
      const u = users.get(r.userId);
      return u ? [publicUser(u)] : [];
    });
    const out: SeenPage = { count: saw.length, items };
    if (from >= 0 && from + limit < saw.length) out.next = page[page.length - 1]!.userId;
    return out;
  }

  /** Of `seqs`, the readable, unrecalled messages the caller sent. */
  private async ownMessages(
    userId: string,
    cid: string,
    view: { floor: number; ceil: number; minSeq: number },
    seqs: readonly number[],
  ): Promise<number[]> {
    const wanted = [...new Set(seqs)].filter(
      (s) => Number.isSafeInteger(s) && s > view.floor && s >= view.minSeq && s <= view.ceil,
    );
    const rows = await this.deps.store.receipts.entries(cid, wanted);
    return rows
      .filter((r) => r.sender_id === userId && MESSAGE.has(r.kind) && r.recalled_at == null)
      .map((r) => Number(r.seq))
      .sort((a, b) => a - b);
  }

  /** Members other than the sender whose read position reached `from`, without those who blocked the sender. */
  private async eligibleReaders(senderId: string, cid: string, from: number): Promise<ReaderRow[]> {
    const blockers = new Set(await this.access.blockers(senderId));
    const out: ReaderRow[] = [];
    let after: string | undefined;
    for (;;) {
      const rows = await this.deps.store.receipts.readers(cid, from, senderId, after, SCAN_PAGE);
      for (const r of rows) if (!blockers.has(r.userId)) out.push(r);
      if (rows.length < SCAN_PAGE) return out;
      after = rows[rows.length - 1]!.userId;
    }
  }
}

/** A member saw `seq` when they were in the conversation then and have read that far. */
const sawIt = (r: ReaderRow, seq: number) =>
  r.readSeq >= seq && r.joinedSeq < seq && (r.leftSeq == null || r.leftSeq >= seq);
