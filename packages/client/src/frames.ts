/**
 * The WebSocket protocol v1: every frame is an object with a `type`. These types are shared by
 * the server, the protocol client, the web client and the load generator. docs/protocol.md is
 * the prose version of this file.
 */
import type { EntryKind, MessageKind } from './message-kinds.js';

export const SUBPROTOCOL_JSON = 'parley.v1.json';
export const SUBPROTOCOL_MSGPACK = 'parley.v1.msgpack';

// Message kinds a client may send, and the entry kinds the server writes: the one list, in
// message-kinds.ts, re-exported here for every client of the protocol.
export { ENTRY_KINDS, type EntryKind, MESSAGE_KINDS, type MessageKind } from './message-kinds.js';

/** A media object as carried in an entry, with URLs signed when the entry was sent to you. */
export interface MediaRef {
  id: string;
  kind: 'image' | 'audio' | 'video' | 'file';
  mime: string;
  size: number;
  name?: string;
  width?: number;
  height?: number;
  durationMs?: number;
  /** A video uploaded with a poster frame: its `thumbUrl` is that picture. */
  poster?: boolean;
  url?: string;
  thumbUrl?: string;
}

/** One entry of a conversation: a message, or a recall/edit/system entry naming its target. */
export interface Entry {
  id: string;
  conversation: string;
  seq: number;
  sender: string | null;
  kind: EntryKind;
  ts: number;
  clientId?: string;
  text?: string;
  /** image/video: the caption shown under the picture (at most 1,024 characters). */
  caption?: string;
  media?: MediaRef;
  replyTo?: number;
  mentions?: string[];
  /** Kind-specific payload: sticker `{id}`, link `{url,title?}`, contact `{userId}`, custom: any. */
  data?: Record<string, unknown>;
  /** recall/edit: the seq acted on. */
  target?: number;
  /** Set on a message that was later edited (history shows the latest text). */
  editedAt?: number;
  /** Set on a message that was later recalled (history no longer shows its content). */
  recalled?: boolean;
  /** A forwarded copy: `from`/`name` name the original sender when the forwarder could see them. */
  forwarded?: ForwardMark;
  /** system entries: what happened. */
  system?: { action: string; actor?: string; users?: string[]; name?: string; [k: string]: unknown };
  /** react/unreact entries: the emoji added or removed by `sender`. */
  emoji?: string;
  /**
   * Messages (history pages): the reactions, per emoji in the order first added, with `me` when
   * the reader is among them. react/unreact entries: the target's counts right after the change
   * (no `me`: the sender's own state follows from the entry's kind).
   */
  reactions?: ReactionCount[];
  /** Messages in history pages: set while the message is pinned. */
  pinned?: boolean;
}

/** How many reacted to a message with one emoji. */
export interface ReactionCount {
  emoji: string;
  count: number;
  /** Set (true) when the user reading it is one of them. */
  me?: boolean;
}

/**
 * The mark of a forwarded message. `from` (user id) and `name` (their nickname when forwarded)
 * are present only when the forwarder may see that user (docs/protocol.md, "Forwarding").
 */
export interface ForwardMark {
  from?: string;
  name?: string;
}

/** An account-level change (friend request, membership change), from the per-user event log. */
export interface UserEvent {
  seq: number;
  kind: string;
  payload: Record<string, unknown>;
  ts: number;
}

export interface ConversationSummary {
  id: string;
  kind: 'dm' | 'group';
  maxSeq: number;
  minSeq: number;
  readSeq: number;
  unread: number;
  muted: boolean;
  pinned: boolean;
  lastMessage?: Entry;
  /** For direct chats: the other user. For groups: the group id. */
  peer?: string;
  groupId?: string;
  /** Direct chats only: the other user's read position (drives "read" marks on your messages). */
  peerReadSeq?: number;
  /** Direct chats only: how far the other user's devices received (drives "delivered" marks). */
  peerDeliveredSeq?: number;
}

// ---- client → server ----
export interface AuthFrame {
  type: 'auth';
  token: string;
}
export interface SendFrame {
  type: 'send';
  clientId: string;
  to: string;
  kind: MessageKind;
  text?: string;
  /** image/video only: a caption under the picture, at most 1,024 characters (`CAPTION_TOO_LONG`). */
  caption?: string;
  media?: string;
  replyTo?: number;
  mentions?: string[];
  data?: Record<string, unknown>;
}
/**
 * Catch-up. `conversations`: the last seq held per conversation; unlisted conversations are
 * streamed from their start (and summarized in `sync.done`) unless `only` is set.
 */
export interface SyncFrame {
  type: 'sync';
  conversations?: Record<string, number>;
  events?: number;
  limit?: number;
  only?: boolean;
}
export interface ReadFrame {
  type: 'read';
  conversation: string;
  seq: number;
}
/**
 * "My devices received this conversation up to `seq`": the protocol client sends it by itself
 * for direct chats as entries arrive live or in catch-up. The server keeps the highest.
 */
export interface ReceivedFrame {
  type: 'received';
  conversation: string;
  seq: number;
}
export interface TypingFrame {
  type: 'typing';
  conversation: string;
}
export interface RecallFrame {
  type: 'recall';
  clientId: string;
  conversation: string;
  seq: number;
}
export interface EditFrame {
  type: 'edit';
  clientId: string;
  conversation: string;
  seq: number;
  text: string;
}
/** Adds (or, with `remove`, takes back) the user's `emoji` reaction on message `seq`. */
export interface ReactFrame {
  type: 'react';
  clientId: string;
  conversation: string;
  seq: number;
  emoji: string;
  remove?: boolean;
}
/** Pins (or, with `remove`, unpins) message `seq` of the conversation. */
export interface PinFrame {
  type: 'pin';
  clientId: string;
  conversation: string;
  seq: number;
  remove?: boolean;
}
export interface PingFrame {
  type: 'ping';
  id?: string | number;
}

export type ClientFrame =
  | AuthFrame
  | SendFrame
  | SyncFrame
  | ReadFrame
  | ReceivedFrame
  | TypingFrame
  | RecallFrame
  | EditFrame
  | ReactFrame
  | PinFrame
  | PingFrame;

// ---- server → client ----
export interface ReadyFrame {
  type: 'ready';
  user: { id: string; username: string; nickname: string };
  serverTime: number;
  sessionId: string;
}
export interface AckFrame {
  type: 'ack';
  clientId: string;
  conversation: string;
  seq: number;
  id: string;
  ts: number;
}
export interface MessageFrame {
  type: 'message';
  entry: Entry;
}
export interface SyncBatchFrame {
  type: 'sync.batch';
  conversation: string;
  entries: Entry[];
  more: boolean;
  reset?: number;
}
/**
 * The end of a catch-up, in pages: every page but the last has `more: true` and carries the next
 * slice of the events (in order) and summaries, with `cursor` at its last event; the last page
 * (no `more`) has the final cursor. A client acts on the catch-up once the last page is in.
 */
export interface SyncDoneFrame {
  type: 'sync.done';
  events: UserEvent[];
  cursor: number;
  conversations: ConversationSummary[];
  more?: boolean;
}
export interface ReceiptFrame {
  type: 'receipt';
  conversation: string;
  userId: string;
  seq: number;
}
/** A direct chat's peer's devices received up to `seq` (live; never moves back). */
export interface DeliveredFrame {
  type: 'delivered';
  conversation: string;
  userId: string;
  seq: number;
}
/**
 * Sent during a catch-up, before `sync.done`: the peers' read and delivered positions of the
 * direct chats the client listed, so ticks are right after a reconnect. Apply as state.
 */
export interface ReceiptsFrame {
  type: 'receipts';
  positions: { conversation: string; userId: string; readSeq: number; deliveredSeq: number }[];
}
export interface TypingOutFrame {
  type: 'typing';
  conversation: string;
  userId: string;
}
export interface PresenceFrame {
  type: 'presence';
  userId: string;
  online: boolean;
  /** On `online: false`, when the user's privacy setting lets the receiver see it: epoch ms. */
  lastSeenAt?: number;
}
export interface EventFrame {
  type: 'event';
  event: UserEvent;
}
/**
 * A user changed their public profile (nickname, avatar, bio, gender): sent live, not logged,
 * to their contacts, the members of their groups and their own other sockets. A client that
 * missed it (offline meanwhile) reads profiles again over REST when it reconnects. It may come
 * more than once (a socket on both a user topic and a group topic of the sender): apply it as
 * state.
 */
export interface UserUpdatedFrame {
  type: 'user.updated';
  user: { id: string; username: string; nickname: string; avatar: string | null; gender: string; bio: string };
}
export interface PongFrame {
  type: 'pong';
  id?: string | number;
  ts: number;
}
/**
 * A frame that failed. `code` is one of the error codes of docs/protocol.md (the server's
 * catalogue, src/domain/errors.ts, which types it as its `ErrorCode`); a client must expect codes
 * a newer server adds, so it is a string here. `temporary` is present (true) when the catalogue
 * says the same frame may succeed if resent unchanged later.
 */
export interface ErrorFrame {
  type: 'error';
  clientId?: string;
  code: string;
  message: string;
  temporary?: true;
}

export type ServerFrame =
  | ReadyFrame
  | AckFrame
  | MessageFrame
  | SyncBatchFrame
  | SyncDoneFrame
  | ReceiptFrame
  | DeliveredFrame
  | ReceiptsFrame
  | TypingOutFrame
  | PresenceFrame
  | EventFrame
  | UserUpdatedFrame
  | PongFrame
  | ErrorFrame;

/** WebSocket close codes Parley uses besides the standard ones. */
export const CloseCodes = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  POLICY_VIOLATION: 1008,
  TOO_BIG: 1009,
  INTERNAL: 1011,
  /** The node lost its bus (Redis) and got it back: frames may have been lost; reconnect and sync. */
  SERVICE_RESTART: 1012,
  TRY_AGAIN_LATER: 1013,
  /** Sent by the client: it dropped the socket on purpose and will reconnect (`drop()`). */
  CLIENT_DROPPED: 4000,
  /** Authentication missing or wrong: the session is not valid (sign in again). */
  UNAUTHENTICATED: 4001,
  /**
   * No `auth` frame within the server's auth timeout (a slow uplink): says nothing about the
   * session; reconnect.
   */
  AUTH_TIMEOUT: 4002,
  /** The session was revoked (logout, password change). */
  SESSION_REVOKED: 4003,
  /** Too many connections for this user. */
  TOO_MANY_CONNECTIONS: 4008,
  /** The client did not read fast enough; reconnect and sync. */
  SLOW_CONSUMER: 4009,
  /** No traffic within the idle timeout. */
  IDLE: 4010,
} as const;
