import { isAmendKind, isMessageKind } from '@parley/client';
import { groupOf, peerOf } from '../api/conversation-ids.js';
import type { ConversationSummary, Entry, Group, PrivateUser, UserBrief } from '../api/types.js';
import { Store } from './store.js';
import { type Pending, type Timeline, addEntries, emptyTimeline } from './timeline.js';

/** `limited`: the server refused this tab a connection (too many tabs or devices open). */
export type ConnState = 'connecting' | 'online' | 'reconnecting' | 'offline' | 'limited';

/** Everything the signed-in client knows; screens read slices of it with `useStore`. */
export interface AppState {
  me?: PrivateUser;
  conn: ConnState;
  /** When the next reconnect attempt happens (epoch ms), while reconnecting. */
  retryAt?: number;
  conversations: Record<string, ConversationSummary>;
  timelines: Record<string, Timeline>;
  pending: Record<string, Pending[]>;
  /** conversation → user → until (epoch ms) */
  typing: Record<string, Record<string, number>>;
  presence: Record<string, boolean>;
  /** Direct chats: the peer's read position, for read receipts. */
  peerRead: Record<string, number>;
  /** Direct chats: how far the peer's devices received, for delivery ticks. */
  peerDelivered: Record<string, number>;
  users: Record<string, UserBrief>;
  /** My private names for my contacts. */
  remarks: Record<string, string>;
  groups: Record<string, Group>;
  /** Ids of the groups I am a member of (undefined until first loaded). */
  myGroups?: string[];
  /** Bumped on account events (friend requests, membership) so lists refetch. */
  socialVersion: number;
  active?: string;
}

export const initialState: AppState = {
  conn: 'connecting',
  conversations: {},
  timelines: {},
  pending: {},
  typing: {},
  presence: {},
  peerRead: {},
  peerDelivered: {},
  users: {},
  remarks: {},
  groups: {},
  socialVersion: 0,
};

export const app = new Store<AppState>(initialState);

export function reset() {
  app.set(initialState);
}

export function setMe(me: PrivateUser) {
  app.set((s) => ({ ...s, me, users: { ...s.users, [me.id]: me } }));
}

export function rememberUsers(list: UserBrief[]) {
  if (!list.length) return;
  app.set((s) => {
    const users = { ...s.users };
    for (const u of list) if (u.id) users[u.id] = { ...users[u.id], ...u };
    return { ...s, users };
  });
}

export function rememberGroups(list: Group[]) {
  app.set((s) => {
    const groups = { ...s.groups };
    for (const g of list) groups[g.id] = { ...groups[g.id], ...g };
    return { ...s, groups };
  });
}

/**
 * Summaries from the server (the list, a catch-up). A summary read before entries that have
 * since arrived live is stale: it must not take the list line, the seq or the unread count
 * back (the refresh after one event can land after the next event's entry).
 */
export function setConversations(list: ConversationSummary[]) {
  app.set((s) => {
    const conversations = { ...s.conversations };
    for (const c of list) {
      const cur = conversations[c.id];
      if (cur && c.maxSeq < cur.maxSeq) {
        const { lastMessage: _l, maxSeq: _m, unread: _u, ...rest } = c;
        conversations[c.id] = { ...cur, ...rest, readSeq: Math.max(cur.readSeq, c.readSeq) };
      } else conversations[c.id] = { ...cur, ...c };
    }
    return { ...s, conversations };
  });
}

export function patchConversation(cid: string, patch: Partial<ConversationSummary>) {
  app.set((s) => {
    const cur = s.conversations[cid];
    if (!cur) return s;
    return { ...s, conversations: { ...s.conversations, [cid]: { ...cur, ...patch } } };
  });
}

/**
 * Entries arrived (live, from catch-up, or from history): merged into the timeline once each,
 * our own pending copies dropped, and the conversation's summary moved forward.
 */
export function receiveEntries(cid: string, entries: Entry[], opts: { history?: boolean } = {}) {
  if (!entries.length) return;
  app.set((s) => {
    const tl = addEntries(s.timelines[cid] ?? emptyTimeline, entries, s.me?.id);
    const mine = new Set(entries.filter((e) => e.sender === s.me?.id && e.clientId).map((e) => e.clientId));
    const pending = s.pending[cid]?.filter((p) => !mine.has(p.clientId));
    const prev = s.conversations[cid];
    let conversations = s.conversations;
    if (!opts.history) {
      const top = entries.reduce((m, e) => (e.seq > m.seq ? e : m), entries[0]!);
      const isMine = top.sender === s.me?.id;
      const maxSeq = Math.max(prev?.maxSeq ?? 0, top.seq);
      const readSeq = isMine ? Math.max(prev?.readSeq ?? 0, top.seq) : (prev?.readSeq ?? 0);
      const fresh = entries.filter(
        (e) => e.seq > (prev?.maxSeq ?? 0) && e.sender !== s.me?.id && isMessageKind(e.kind),
      ).length;
      let lastMessage = isAmendKind(top.kind) ? prev?.lastMessage : top;
      // A recall or edit of the message shown in the list changes the list line too.
      for (const e of entries) {
        if (lastMessage && e.target === lastMessage.seq && e.kind === 'recall')
          lastMessage = { ...lastMessage, recalled: true, text: undefined, media: undefined };
        if (lastMessage && e.target === lastMessage.seq && e.kind === 'edit')
          lastMessage = { ...lastMessage, text: e.text, editedAt: e.ts };
      }
      const groupId = groupOf(cid);
      const base: ConversationSummary = prev ?? {
        id: cid,
        kind: groupId ? 'group' : 'dm',
        maxSeq: 0,
        minSeq: 1,
        readSeq: 0,
        unread: 0,
        muted: false,
        pinned: false,
        ...(groupId ? { groupId } : { peer: peerOf(cid, s.me?.id) }),
      };
      conversations = {
        ...s.conversations,
        [cid]: {
          ...base,
          maxSeq,
          readSeq,
          unread: isMine ? 0 : (prev?.unread ?? 0) + fresh,
          ...(lastMessage ? { lastMessage } : {}),
        },
      };
    }
    const typing = s.typing[cid]
      ? {
          ...s.typing,
          [cid]: Object.fromEntries(
            Object.entries(s.typing[cid]!).filter(([u]) => !entries.some((e) => e.sender === u)),
          ),
        }
      : s.typing;
    return {
      ...s,
      timelines: { ...s.timelines, [cid]: tl },
      pending: pending ? { ...s.pending, [cid]: pending } : s.pending,
      conversations,
      typing,
    };
  });
}

export function markComplete(cid: string) {
  app.set((s) => ({
    ...s,
    timelines: { ...s.timelines, [cid]: { ...(s.timelines[cid] ?? emptyTimeline), complete: true } },
  }));
}

export function addPending(p: Pending) {
  app.set((s) => ({ ...s, pending: { ...s.pending, [p.conversation]: [...(s.pending[p.conversation] ?? []), p] } }));
}

export function updatePending(cid: string, clientId: string, patch: Partial<Pending>) {
  app.set((s) => {
    const list = s.pending[cid];
    if (!list) return s;
    return {
      ...s,
      pending: { ...s.pending, [cid]: list.map((p) => (p.clientId === clientId ? { ...p, ...patch } : p)) },
    };
  });
}

export function dropPending(cid: string, clientId: string) {
  app.set((s) => ({
    ...s,
    pending: { ...s.pending, [cid]: (s.pending[cid] ?? []).filter((p) => p.clientId !== clientId) },
  }));
}

export function setTyping(cid: string, userId: string, until: number) {
  app.set((s) => ({ ...s, typing: { ...s.typing, [cid]: { ...s.typing[cid], [userId]: until } } }));
}

export function setPresence(userId: string, online: boolean) {
  app.set((s) => (s.presence[userId] === online ? s : { ...s, presence: { ...s.presence, [userId]: online } }));
}

export function setPeerRead(cid: string, seq: number) {
  app.set((s) => ((s.peerRead[cid] ?? 0) >= seq ? s : { ...s, peerRead: { ...s.peerRead, [cid]: seq } }));
}

export function setPeerDelivered(cid: string, seq: number) {
  app.set((s) =>
    (s.peerDelivered[cid] ?? 0) >= seq ? s : { ...s, peerDelivered: { ...s.peerDelivered, [cid]: seq } },
  );
}

export function markReadLocally(cid: string, seq: number) {
  app.set((s) => {
    const c = s.conversations[cid];
    if (!c || c.readSeq >= seq) return s;
    return {
      ...s,
      conversations: { ...s.conversations, [cid]: { ...c, readSeq: seq, unread: seq >= c.maxSeq ? 0 : c.unread } },
    };
  });
}

export function bumpSocial() {
  app.set((s) => ({ ...s, socialVersion: s.socialVersion + 1 }));
}

export function setRemarks(map: Record<string, string>) {
  app.set((s) => ({ ...s, remarks: map }));
}

export function setMyGroups(list: Group[]) {
  rememberGroups(list);
  app.set((s) => ({ ...s, myGroups: list.map((g) => g.id) }));
}
