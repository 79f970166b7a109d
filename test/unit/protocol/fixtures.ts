import type { ConversationSummary, Entry } from '@parley/client';

/** A text entry of conversation `cid` at `seq` (its id names both, so sequences read plainly). */
export const entry = (cid: string, seq: number): Entry => ({
  id: `${cid}#${seq}`,
  conversation: cid,
  seq,
  sender: 'u1',
  kind: 'text',
  ts: seq,
  text: `m${seq}`,
});

/** The `cid#seq` names of delivered entries, in delivery order. */
export const names = (es: Entry[]) => es.map((e) => e.id);

export const summary = (id: string, minSeq: number, maxSeq: number): ConversationSummary => ({
  id,
  kind: 'dm',
  minSeq,
  maxSeq,
  readSeq: 0,
  unread: 0,
  muted: false,
  pinned: false,
});
