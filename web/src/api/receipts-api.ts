import { get, post } from './http.js';
import type { Reply } from './types.js';

/* "Seen by" and forwarding (docs/protocol.md, "Delivery, seen and forwarding"). */

const c = (cid: string) => `/conversations/${encodeURIComponent(cid)}`;

export const receipts = {
  /** "Seen by N" for my messages among `seqs` (at most 100; others are left out). */
  seenCounts: async (cid: string, seqs: number[]) =>
    (await get<Reply<'seenCounts'>>(`${c(cid)}/seen`, { seqs: seqs.slice(0, 100).join(',') })).items,
  /** One page of who saw my message. */
  seenBy: (cid: string, seq: number, after?: string) =>
    get<Reply<'seenBy'>>(`${c(cid)}/messages/${seq}/seen`, { after, limit: 50 }),
  forward: async (cid: string, seq: number, targets: { to: string; clientId: string }[]) =>
    (await post<Reply<'forwardMessage'>>(`${c(cid)}/messages/${seq}/forward`, { targets })).items,
};
