import { isAmendKind, isPinKind, isReactionKind } from '@parley/client';
import type { Entry } from '../api/types.js';

/** A message we sent that has no seq yet (waiting for its ack), or that failed. */
export interface Pending {
  clientId: string;
  conversation: string;
  kind: Entry['kind'];
  text?: string;
  /** image/video: the caption typed with it. */
  caption?: string;
  replyTo?: number;
  mentions?: string[];
  data?: Record<string, unknown>;
  ts: number;
  status: 'uploading' | 'sending' | 'failed';
  progress?: number;
  error?: string;
  /** Local preview of an attachment (object URL) while it uploads. */
  previewUrl?: string;
  fileName?: string;
  fileSize?: number;
}

/**
 * What the client holds of one conversation: its entries ordered by seq, each seq at most once
 * (catch-up and live frames may both deliver the same entry), with recalls and edits folded
 * into the entries they name.
 */
export interface Timeline {
  entries: Entry[];
  /** Lowest seq we hold; history before it is fetched on scroll. */
  oldest: number;
  /** True when nothing older exists (we reached seq 1 or the retention floor). */
  complete: boolean;
}

export const emptyTimeline: Timeline = { entries: [], oldest: Infinity, complete: false };

/** Kinds that are shown as bubbles; the others change an existing entry. */
export const isVisible = (e: Entry) => !isAmendKind(e.kind);

/**
 * A reaction entry carries the target's counts after it; my own state changes only with my own
 * entries, so the other emoji keep the `me` they had.
 */
function foldReaction(t: Entry, e: Entry, me?: string): Entry {
  const mine = new Set((t.reactions ?? []).filter((r) => r.me).map((r) => r.emoji));
  if (me !== undefined && e.sender === me && e.emoji) {
    if (e.kind === 'react') mine.add(e.emoji);
    else mine.delete(e.emoji);
  }
  const reactions = (e.reactions ?? []).map((r) => ({
    emoji: r.emoji,
    count: r.count,
    ...(mine.has(r.emoji) ? { me: true } : {}),
  }));
  return { ...t, reactions };
}

function fold(entries: Entry[], e: Entry, me?: string): Entry[] {
  if ((isReactionKind(e.kind) || isPinKind(e.kind)) && e.target !== undefined) {
    const i = entries.findIndex((x) => x.seq === e.target);
    if (i < 0 || entries[i]!.recalled) return entries;
    const t = entries[i]!;
    const out = entries.slice();
    out[i] = isPinKind(e.kind) ? { ...t, pinned: e.kind === 'pin' } : foldReaction(t, e, me);
    return out;
  }
  if (isAmendKind(e.kind) && e.target !== undefined) {
    const i = entries.findIndex((x) => x.seq === e.target);
    if (i < 0) return entries;
    const t = entries[i]!;
    const changed: Entry =
      e.kind === 'recall'
        ? {
            id: t.id,
            conversation: t.conversation,
            seq: t.seq,
            sender: t.sender,
            kind: t.kind,
            ts: t.ts,
            recalled: true,
          }
        : { ...t, text: e.text ?? t.text, editedAt: e.ts };
    const out = entries.slice();
    out[i] = changed;
    return out;
  }
  return entries;
}

/** Adds entries (any order, duplicates allowed) and returns a new timeline. */
export function addEntries(tl: Timeline, incoming: Entry[], me?: string): Timeline {
  if (incoming.length === 0) return tl;
  const bySeq = new Map(tl.entries.map((e) => [e.seq, e]));
  let added = false;
  for (const e of incoming) {
    if (!bySeq.has(e.seq)) {
      bySeq.set(e.seq, e);
      added = true;
    }
  }
  if (!added) return tl;
  let entries = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  // Apply every recall/edit we hold onto its target, whichever arrived first.
  for (const e of entries) if (isAmendKind(e.kind) || isPinKind(e.kind)) entries = fold(entries, e, me);
  // Shown history is the gap-free run ending at the newest entry; older pages extend it.
  let i = entries.length - 1;
  while (i > 0 && entries[i - 1]!.seq === entries[i]!.seq - 1) i--;
  const oldest = entries[i]!.seq;
  return { entries, oldest, complete: (tl.complete && oldest <= tl.oldest) || oldest <= 1 };
}

export function lastVisible(tl: Timeline): Entry | undefined {
  for (let i = tl.entries.length - 1; i >= 0; i--) if (isVisible(tl.entries[i]!)) return tl.entries[i];
  return undefined;
}

export function maxSeq(tl: Timeline): number {
  return tl.entries.length ? tl.entries[tl.entries.length - 1]!.seq : 0;
}
