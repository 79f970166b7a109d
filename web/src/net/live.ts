import type { AckFrame, ServerFrame, SendFrame } from '@parley/client';
import type { Entry } from '../api/types.js';
import {
  contacts as contactsApi,
  conversations as convApi,
  groups as groupsApi,
  me as meApi,
} from '../api/endpoints.js';
import {
  app,
  bumpSocial,
  markReadLocally,
  receiveEntries,
  rememberUsers,
  setConversations,
  setMe,
  setMyGroups,
  setRemarks,
  setPeerDelivered,
  setPeerRead,
  setPresence,
  setTyping,
} from '../state/app.js';
import { ApiError } from '../api/http.js';
import { session } from '../session.js';
import { setLastSeen } from '../state/last-seen.js';
import { connectSocket, type Socket } from './socket.js';
import { notifyEntry } from './notify.js';

const TYPING_SHOWN_MS = 5000;

let socket: Socket | undefined;
let generation = 0;
/** Sends made before the socket exists (the conversation list is still loading) wait here. */
const waiting: { resolve(s: Socket): void; reject(e: Error): void }[] = [];

function socketNow(): Promise<Socket> {
  if (socket) return Promise.resolve(socket);
  return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
}

/** How long to wait before asking the server again whether the session is still good. */
const CONFIRM_RETRY_MS = 3000;

/**
 * The socket was closed as unauthenticated. That alone wipes nothing: the server is asked over
 * REST (`GET /me`). A 401 there is the server's word that the session is gone, and the REST
 * wrapper signs out; an answer means the session is fine, so the socket reconnects; no answer
 * (the network) means ask again later.
 */
function confirmSession(gen: number) {
  meApi.get().then(
    () => {
      if (gen === generation) socket?.reconnect();
    },
    (e) => {
      if (gen !== generation || (e instanceof ApiError && e.status === 401)) return;
      setTimeout(() => confirmSession(gen), CONFIRM_RETRY_MS);
    },
  );
}

function onFrame(f: ServerFrame) {
  switch (f.type) {
    case 'receipt':
      if (f.userId !== app.get().me?.id) setPeerRead(f.conversation, f.seq);
      else markReadLocally(f.conversation, f.seq);
      break;
    case 'delivered':
      if (f.userId !== app.get().me?.id) setPeerDelivered(f.conversation, f.seq);
      break;
    case 'typing':
      if (f.userId !== app.get().me?.id) setTyping(f.conversation, f.userId, Date.now() + TYPING_SHOWN_MS);
      break;
    case 'presence':
      setPresence(f.userId, f.online);
      if (!f.online && f.lastSeenAt !== undefined) setLastSeen(f.userId, f.lastSeenAt);
      break;
    case 'user.updated': {
      // A contact's or co-member's new nickname, avatar or bio, everywhere it is shown.
      rememberUsers([f.user]);
      const me = app.get().me;
      if (me && f.user.id === me.id) setMe({ ...me, ...f.user });
      break;
    }
    default:
      break;
  }
}

/** Account events (friend requests, membership changes): refresh lists and conversations. */
function onEvents() {
  bumpSocial();
  void refreshLists();
}

/** Refreshes conversations and groups; returns the max seq per conversation. */
async function refreshLists(): Promise<Record<string, number>> {
  try {
    const [convs, mine, friends] = await Promise.all([convApi.list(), groupsApi.mine(), contactsApi.list()]);
    setMyGroups(mine);
    setConversations(convs);
    // Friends carry their presence and my remarks for them: the list and headers need both.
    rememberUsers(friends.map((f) => f.user));
    setRemarks(Object.fromEntries(friends.filter((f) => f.remark).map((f) => [f.user.id, f.remark])));
    for (const f of friends) if (f.online !== undefined) setPresence(f.user.id, f.online);
    for (const f of friends) if (f.lastSeenAt !== undefined) setLastSeen(f.user.id, f.lastSeenAt);
    return Object.fromEntries(convs.map((c) => [c.id, c.maxSeq]));
  } catch {
    return {};
  }
}

/**
 * The live connection, over THE protocol client (@parley/client): it reconnects with
 * backoff and jitter, catches up by seq on every (re)connect, and resends unacknowledged sends
 * with their original clientId. This module only turns its frames into app state.
 */
export const live = {
  /** Loads the conversation list, then opens the socket with those seqs as the catch-up base. */
  start(token: string) {
    this.stop();
    const gen = ++generation;
    app.set((s) => ({ ...s, conn: 'connecting' }));
    void refreshLists().then((held) => {
      if (gen !== generation) return;
      const s = connectSocket(() => session.token() ?? token, held, {
        onEntry(e) {
          receiveEntries(e.conversation, [e]);
          notifyEntry(e);
          // Membership changed (joined, removed, left, renamed): my group list may have too.
          if (e.kind === 'system') onEvents();
        },
        onFrame,
        onEvent: () => onEvents(),
        onConversation: (c) => setConversations([c]),
        onState(state) {
          app.set((s) => ({ ...s, conn: state }));
          if (state === 'online') void refreshLists();
        },
        onUnauthorized: () => {
          app.set((st) => ({ ...st, conn: 'reconnecting' }));
          confirmSession(gen);
        },
        onTooManyConnections: () => app.set((st) => ({ ...st, conn: 'limited' })),
      });
      socket = s;
      for (const w of waiting.splice(0)) w.resolve(s);
    });
  },
  stop() {
    generation++;
    socket?.close();
    socket = undefined;
    for (const w of waiting.splice(0)) w.reject(new Error('Not connected'));
  },
  /** Tries to connect again after the server refused this tab (too many connections). */
  reconnect() {
    socket?.reconnect();
  },
  async send(frame: Omit<SendFrame, 'type'>): Promise<AckFrame> {
    const ack = await (await socketNow()).send(frame);
    const s = app.get();
    const p = s.pending[ack.conversation]?.find((x) => x.clientId === ack.clientId);
    if (p) {
      let stored: Entry | undefined;
      if (frame.media) {
        // Our own socket gets an ack, not the entry: fetch it for its signed media URLs.
        stored = (await convApi.history(ack.conversation, { after: ack.seq - 1, limit: 1 }).catch(() => [])).find(
          (e) => e.seq === ack.seq,
        );
      }
      receiveEntries(ack.conversation, [
        stored ?? {
          id: ack.id,
          conversation: ack.conversation,
          seq: ack.seq,
          sender: s.me!.id,
          kind: p.kind,
          ts: ack.ts,
          clientId: ack.clientId,
          ...(p.text !== undefined ? { text: p.text } : {}),
          ...(p.replyTo !== undefined ? { replyTo: p.replyTo } : {}),
          ...(p.mentions?.length ? { mentions: p.mentions } : {}),
          ...(p.data ? { data: p.data } : {}),
        },
      ]);
    }
    return ack;
  },
  async recall(cid: string, seq: number) {
    await (await socketNow()).recall(cid, seq);
  },
  async edit(cid: string, seq: number, text: string) {
    await (await socketNow()).edit(cid, seq, text);
  },
  async react(cid: string, seq: number, emoji: string, remove = false) {
    await (await socketNow()).react(cid, seq, emoji, remove);
  },
  async pin(cid: string, seq: number, remove = false) {
    await (await socketNow()).pin(cid, seq, remove);
  },
  read(cid: string, seq: number) {
    markReadLocally(cid, seq);
    socket?.read(cid, seq);
  },
  typing(cid: string) {
    socket?.typing(cid);
  },
};
