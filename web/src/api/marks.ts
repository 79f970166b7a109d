import { get } from './http.js';
import type { Reply } from './types.js';

/* Reactions and pins over REST (the changes themselves go over the socket: live.react / live.pin). */

export type Reactor = Reply<'listReactions'>['items'][number];
export type PinnedMessage = Reply<'listPins'>['items'][number];

export const marks = {
  /** Who reacted to a message, oldest first; `after` is the previous page's `next`. */
  reactors: (cid: string, seq: number, after?: string) =>
    get<Reply<'listReactions'>>(`/conversations/${encodeURIComponent(cid)}/messages/${seq}/reactions`, {
      limit: 50,
      after,
    }),
  pins: async (cid: string) => (await get<Reply<'listPins'>>(`/conversations/${encodeURIComponent(cid)}/pins`)).items,
};
