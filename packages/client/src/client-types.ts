import type {
  AckFrame,
  ConversationSummary,
  DeliveredFrame,
  Entry,
  ErrorFrame,
  MessageKind,
  PresenceFrame,
  ReadyFrame,
  ReceiptFrame,
  SyncDoneFrame,
  TypingOutFrame,
  UserEvent,
  UserUpdatedFrame,
} from './frames.js';

/** Types of the protocol client (src/protocol/client.ts). No Node-only imports here either. */

/** The part of a WebSocket this client uses (browser WebSocket and `ws` both fit). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly protocol: string;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type WebSocketCtor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export type ClientState = 'idle' | 'connecting' | 'online' | 'reconnecting' | 'offline';

export interface ClientOptions {
  /** `ws://host:port/ws` URLs of any nodes; tried in turn. */
  urls: string[];
  /** Session token, or a function returning the current one (called on every connect). */
  token: string | (() => string | Promise<string>);
  WebSocket: WebSocketCtor;
  codec?: 'json' | 'msgpack';
  /** First reconnect delay cap (ms, default 250) and the largest one (default 15 000). */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Restored state of a device that already synced before: last seq per conversation and the event cursor. */
  state?: { conversations?: Record<string, number>; cursor?: number };
  /** Entries per sync batch (default 200). */
  syncLimit?: number;
  /** Delay before a detected gap is repaired by sync (default 250 ms): reordered live frames usually fill it first. */
  gapDelayMs?: number;
  /**
   * A send refused temporarily (an error frame with `temporary: true`: `UNAVAILABLE` when the
   * server cannot reach its database or Redis, `RATE_LIMITED`) stays pending and is resent with
   * the same clientId after this delay (ms, default 1000, doubling per refusal up to
   * `backoffMaxMs`), and again on every reconnect.
   */
  unavailableRetryMs?: number;
  random?: () => number;
  /**
   * Application-level heartbeat: while online, a `ping` frame this often (ms; default 0: none,
   * the server's WebSocket pings keep the socket open). A link that dies without closing (a
   * half-open TCP connection) is only noticed by a ping nobody answers: see `deadLinkMs`.
   */
  heartbeatMs?: number;
  /**
   * With a heartbeat: how long a ping, or a new socket's `ready`, may go unanswered (no frame at
   * all arrives) before the link counts as dead (ms, default 10 000). The socket is then
   * abandoned without waiting for its close handshake (a dead link never completes one) and the
   * client reconnects; unacknowledged sends are resent there with their clientId.
   */
  deadLinkMs?: number;
  /** Makes client ids; default: {@link newClientId} (time first, then random). */
  newClientId?: () => string;
  /**
   * Delivery receipts: report `received` for direct chats as others' entries reach the app,
   * live or in catch-up (default true), at most once per `receivedDelayMs` per conversation
   * (default 500 ms: a delivered tick that late is not noticed, and a busy chat sends a fifth of the frames).
   */
  autoReceived?: boolean;
  receivedDelayMs?: number;
}

export interface ClientEvents {
  state: ClientState;
  ready: ReadyFrame;
  /** Every conversation entry, once, in seq order per conversation. */
  message: Entry;
  ack: AckFrame;
  receipt: ReceiptFrame;
  /** A direct chat's peer received up to a seq (live, or from a catch-up's `receipts` frame). */
  delivered: DeliveredFrame;
  typing: TypingOutFrame;
  presence: PresenceFrame;
  /** Someone whose profile you see changed it (live only; see UserUpdatedFrame). */
  'user.updated': UserUpdatedFrame;
  event: UserEvent;
  /** Retention removed entries before `firstSeq`: they will not come. */
  reset: { conversation: string; firstSeq: number };
  synced: SyncDoneFrame;
  conversation: ConversationSummary;
  error: ErrorFrame;
  /** The server refused the token (close 4001/4003): the client stopped; log in again. */
  unauthorized: { code: number; reason: string };
  /**
   * The server refused the connection for a reason retrying soon cannot fix (close 4008: the
   * user has too many connections open): the client stopped; `connect()` tries again.
   * Unacknowledged sends stay queued for that.
   */
  refused: { code: number; reason: string };
}

export type SendOptions = {
  to: string;
  kind: MessageKind;
  text?: string;
  media?: string;
  /** image/video: the caption under the picture. */
  caption?: string;
  replyTo?: number;
  mentions?: string[];
  data?: Record<string, unknown>;
  clientId?: string;
};

/** A send the server refused: `code` is the error code of the `error` frame. */
export class SendError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SendError';
  }
}
