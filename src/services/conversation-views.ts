import type { ConversationSummary, Entry } from '@parley/client';
import type { ConversationRepo, MembershipView } from '../store/conversations.js';
import type { EntryRow } from '../store/log.js';
import type { ReadView } from './conversation-access.js';
import { type MediaSigner, toEntry } from './entries-view.js';

export interface HistoryQuery {
  before?: number;
  after?: number;
  limit?: number;
}

/** One page of history, oldest first; `next` is the cursor of the following page when there is one. */
export interface HistoryPage {
  items: Entry[];
  next?: string;
}

/**
 * A readable conversation the user has no member row for yet (a DM with no entries, a group
 * member without a row): the member view its read rights imply.
 */
export function impliedMembership(cid: string, view: ReadView, readSeq: number): MembershipView {
  return {
    conversationId: cid,
    kind: view.ref.kind,
    maxSeq: view.maxSeq,
    minSeq: view.minSeq,
    readSeq,
    joinedSeq: view.floor,
    leftSeq: null,
    muted: false,
    pinned: false,
  };
}

/**
 * How conversations look to one user: entries as clients see them (media URLs signed fresh),
 * summaries and history pages. Read-only, and no authorization of its own: callers pass what
 * {@link ConversationAccess} allowed. Messaging and sync both build their replies here.
 */
export class ConversationViews {
  constructor(
    private readonly repo: ConversationRepo,
    private readonly sign?: MediaSigner,
  ) {}

  entry(row: EntryRow): Entry {
    return toEntry(row, this.sign);
  }

  /** The page of `cid` that `q` asks for, within what `view` lets the user read. */
  async history(cid: string, view: ReadView, q: HistoryQuery): Promise<HistoryPage> {
    const limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
    const floor = Math.max(view.floor, view.minSeq - 1);
    if (q.after !== undefined) {
      const rows = await this.repo.entriesAfter(cid, Math.max(q.after, floor), view.ceil, limit + 1);
      const more = rows.length > limit;
      const items = rows.slice(0, limit).map((r) => this.entry(r));
      return more ? { items, next: String(items[items.length - 1]!.seq) } : { items };
    }
    const before = Math.min(q.before ?? view.ceil + 1, view.ceil + 1);
    const rows = await this.repo.entriesBefore(cid, before, floor, limit + 1);
    const more = rows.length > limit;
    const items = (more ? rows.slice(1) : rows).map((r) => this.entry(r));
    return more ? { items, next: String(items[0]!.seq) } : { items };
  }

  /** A conversation list item: bounds, unread count, last message, and the DM peer's read position. */
  async summary(userId: string, m: MembershipView): Promise<ConversationSummary> {
    const repo = this.repo;
    const ceil = m.leftSeq != null ? Math.min(m.leftSeq, m.maxSeq) : m.maxSeq;
    const floor = Math.max(m.joinedSeq, m.minSeq - 1);
    const [unread, last] = await Promise.all([
      repo.unread(m.conversationId, userId, Math.max(m.readSeq, floor), ceil, 999),
      ceil > floor ? repo.entry(m.conversationId, ceil) : Promise.resolve(undefined),
    ]);
    const s: ConversationSummary = {
      id: m.conversationId,
      kind: m.kind,
      maxSeq: ceil,
      minSeq: Math.max(m.minSeq, m.joinedSeq + 1),
      readSeq: m.readSeq,
      unread,
      muted: m.muted,
      pinned: m.pinned,
    };
    if (last) s.lastMessage = this.entry(last);
    if (m.kind === 'dm') {
      const peer = m.conversationId
        .split(':')
        .slice(1)
        .find((u) => u !== userId);
      s.peer = peer;
      // Views built without the store's join (no member row of the caller yet) read it here.
      const peerRow = m.peerReadSeq === undefined && peer ? await repo.member(m.conversationId, peer) : undefined;
      s.peerReadSeq = m.peerReadSeq ?? Number(peerRow?.read_seq ?? 0);
      s.peerDeliveredSeq = m.peerDeliveredSeq ?? Number(peerRow?.delivered_seq ?? 0);
    } else s.groupId = m.conversationId.slice(2);
    return s;
  }
}
