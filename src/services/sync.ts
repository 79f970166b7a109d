import type { ConversationSummary, ServerFrame, SyncDoneFrame, UserEvent } from '@parley/client';
import { isAppError } from '../domain/errors.js';
import type { ConversationRepo } from '../store/conversations.js';
import type { ConversationAccess } from './conversation-access.js';
import { type ConversationViews, impliedMembership } from './conversation-views.js';
import { toUserEvent } from './entries-view.js';
import { emitReceipts } from './sync-receipts.js';

/** A client's catch-up request: its last seq per conversation and its event cursor. */
export interface SyncRequest {
  /** Last seq the client holds per conversation id. */
  conversations?: Record<string, number>;
  /** Last per-user event seq the client holds; absent on a fresh device. */
  events?: number;
  /** Entries per `sync.batch` (1–500, default 200). */
  limit?: number;
  /** Only the listed conversations: the rest are neither streamed nor summarized (gap repair). */
  only?: boolean;
}

/** What a catch-up reads through: the store's conversations, the read rules, the views. */
export interface SyncDeps {
  repo: ConversationRepo;
  access: ConversationAccess;
  views: ConversationViews;
  /**
   * Most UTF-8 bytes of events and summaries in one `sync.done` page (JSON, the larger codec);
   * keep it well under the slow-consumer limit. One item larger than this still goes, alone.
   */
  pageBytes: number;
}

const EVENTS_MAX = 1000;

/**
 * The catch-up algorithm. For every conversation the user belongs to (listed or not, unless
 * `only`): send the entries with `max(lastSeq, joinedSeq) < seq <= (leftSeq ?? maxSeq)` in
 * ascending `sync.batch` frames (`more: true` until the last); unlisted conversations start
 * from the member's first visible seq. When retention removed entries the client asked for,
 * the first batch says `reset: <first seq still kept>`. Listed conversations the user cannot
 * read answer an `error` frame (NOT_A_MEMBER/FORBIDDEN) and are skipped. Then `sync.done`
 * with the per-user events after the client's cursor (none on a fresh device, whose cursor
 * starts at the current one), the new cursor, and summaries of the conversations the client
 * did not list. `sync.done` is paged by `pageBytes` (see {@link SyncDoneFrame}), so no frame
 * of a catch-up grows with the number of conversations. Entries committed while this runs
 * arrive live; clients order by seq.
 */
export async function runSync(
  { repo, access, views, pageBytes }: SyncDeps,
  userId: string,
  req: SyncRequest,
  emit: (frame: ServerFrame) => boolean | Promise<boolean>,
): Promise<void> {
  const limit = Math.min(Math.max(req.limit ?? 200, 1), 500);
  const known = req.conversations ?? {};
  const memberships = await repo.memberships(userId);
  const mine = new Map(memberships.map((m) => [m.conversationId, m]));

  for (const cid of Object.keys(known)) {
    if (mine.has(cid)) continue;
    try {
      // A DM with no entries yet, or a group member without a member row, may still be readable.
      const view = await access.canRead(userId, cid);
      if (view.ceil > 0) mine.set(cid, impliedMembership(cid, view, view.readSeq));
    } catch (e) {
      // A refusal for this one conversation is answered and the sync goes on; an unreachable
      // store (temporary) fails the whole sync, which the client retries.
      if (!isAppError(e) || e.temporary) throw e;
      if (!(await emit({ type: 'error', code: e.code, message: `${e.message}: ${cid.slice(0, 80)}` }))) return;
    }
  }

  const unlisted = [];
  for (const m of [...mine.values()].sort((a, b) => (a.conversationId < b.conversationId ? -1 : 1))) {
    const listed = Object.hasOwn(known, m.conversationId);
    if (!listed) {
      if (req.only) continue;
      unlisted.push(m);
    }
    const ceil = m.leftSeq != null ? Math.min(m.leftSeq, m.maxSeq) : m.maxSeq;
    let lo = Math.max(listed ? Number(known[m.conversationId]) || 0 : 0, m.joinedSeq);
    let reset: number | undefined;
    if (m.minSeq > lo + 1 && ceil >= m.minSeq - 1) {
      reset = m.minSeq;
      lo = m.minSeq - 1;
    }
    if (lo >= ceil) {
      if (
        reset !== undefined &&
        !(await emit({ type: 'sync.batch', conversation: m.conversationId, entries: [], more: false, reset }))
      )
        return;
      continue;
    }
    for (;;) {
      const rows = await repo.entriesAfter(m.conversationId, lo, ceil, limit);
      const entries = rows.map((r) => views.entry(r));
      const last = entries.length ? entries[entries.length - 1]!.seq : ceil;
      const more = entries.length === limit && last < ceil;
      const frame: ServerFrame = { type: 'sync.batch', conversation: m.conversationId, entries, more };
      if (reset !== undefined) frame.reset = reset;
      reset = undefined;
      if (!(await emit(frame))) return;
      if (!more) break;
      lo = last;
    }
  }

  const listedViews = [...mine.values()].filter((m) => Object.hasOwn(known, m.conversationId));
  if (!(await emitReceipts(userId, listedViews, access, emit))) return;

  let events: UserEvent[] = [];
  let cursor: number;
  if (req.events === undefined) {
    cursor = await repo.eventSeq(userId);
  } else {
    const rows = await repo.events(userId, Math.max(0, req.events), EVENTS_MAX);
    events = rows.map(toUserEvent);
    cursor = events.length ? events[events.length - 1]!.seq : Math.max(0, req.events);
  }
  const summaries = await Promise.all(
    unlisted.filter((m) => m.kind === 'dm' || m.leftSeq == null).map((m) => views.summary(userId, m)),
  );
  await emitDonePages(
    events,
    summaries,
    cursor,
    req.events === undefined ? cursor : Math.max(0, req.events),
    pageBytes,
    emit,
  );
}

const utf8 = new TextEncoder();
const sizeOf = (v: unknown) => utf8.encode(JSON.stringify(v)).length + 1;

/**
 * Cuts the events and summaries into `sync.done` pages of at most `pageBytes` each. An
 * intermediate page's cursor is its last event's seq (or `from`), so a client that takes the
 * first page for the end still holds a consistent cursor and asks again for the rest.
 */
async function emitDonePages(
  events: UserEvent[],
  summaries: ConversationSummary[],
  cursor: number,
  from: number,
  pageBytes: number,
  emit: (frame: ServerFrame) => boolean | Promise<boolean>,
): Promise<void> {
  let e = 0;
  let c = 0;
  let at = from;
  for (;;) {
    const page: SyncDoneFrame = { type: 'sync.done', events: [], cursor: at, conversations: [] };
    let size = 0;
    while (e < events.length) {
      const n = sizeOf(events[e]);
      if (size + n > pageBytes && size > 0) break;
      size += n;
      page.events.push(events[e]!);
      at = events[e++]!.seq;
    }
    while (e === events.length && c < summaries.length) {
      const n = sizeOf(summaries[c]);
      if (size + n > pageBytes && size > 0) break;
      size += n;
      page.conversations.push(summaries[c++]!);
    }
    const last = e === events.length && c === summaries.length;
    if (last) page.cursor = cursor;
    else {
      page.cursor = at;
      page.more = true;
    }
    if (!(await emit(page)) || last) return;
  }
}
