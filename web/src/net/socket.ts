import {
  ParleyClient,
  type AckFrame,
  type ConversationSummary,
  type Entry,
  type SendFrame,
  type ServerFrame,
  type UserEvent,
} from '@parley/client';
import type { ConnState } from '../state/app.js';

/** What the web app needs from the live connection, implemented over THE protocol client. */
export interface Socket {
  send(frame: Omit<SendFrame, 'type'>): Promise<AckFrame>;
  recall(cid: string, seq: number): Promise<AckFrame>;
  edit(cid: string, seq: number, text: string): Promise<AckFrame>;
  react(cid: string, seq: number, emoji: string, remove: boolean): Promise<AckFrame>;
  pin(cid: string, seq: number, remove: boolean): Promise<AckFrame>;
  read(cid: string, seq: number): void;
  typing(cid: string): void;
  /** Connects again after the client stopped (a refused connection, an unconfirmed sign-out). */
  reconnect(): void;
  close(): void;
}

/**
 * Heartbeat of the web client: a ping every HEARTBEAT_MS while online; a link that answers
 * nothing for DEAD_LINK_MS counts as dead (see ClientOptions.deadLinkMs). A send also checks the
 * link at once, so a message typed into a dead link shows the banner within DEAD_LINK_MS.
 */
const HEARTBEAT_MS = 5000;
const DEAD_LINK_MS = 5000;

export interface SocketHandlers {
  /** Entries in seq order per conversation, each once (the protocol client guarantees it). */
  onEntry(e: Entry): void;
  onFrame(f: ServerFrame): void;
  onEvent(e: UserEvent): void;
  onConversation(c: ConversationSummary): void;
  onState(state: ConnState): void;
  /** The server closed with 4001/4003: the session MAY be gone (confirm before signing out). */
  onUnauthorized(): void;
  /** The server refused this tab a connection: too many connections for this user (4008). */
  onTooManyConnections(): void;
}

/** The socket URL of this page's server (same origin; the token goes in the first frame, not the URL). */
export function socketUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

/**
 * Opens the live connection. `held` is the last seq per conversation the page already has (from
 * the conversation list), so catch-up streams only what is newer; older history is paged over
 * REST when a chat is opened.
 */
export function connectSocket(
  token: () => string | undefined,
  held: Record<string, number>,
  h: SocketHandlers,
): Socket {
  const client = new ParleyClient({
    urls: [socketUrl()],
    token: () => {
      const t = token();
      if (!t) throw new Error('signed out');
      return t;
    },
    WebSocket: WebSocket as never,
    codec: 'json',
    backoffInitialMs: 500,
    backoffMaxMs: 15_000,
    heartbeatMs: HEARTBEAT_MS,
    deadLinkMs: DEAD_LINK_MS,
    state: { conversations: held },
  });
  client.on('state', (s) => h.onState(s === 'idle' ? 'connecting' : s));
  client.on('message', h.onEntry);
  client.on('receipt', h.onFrame);
  client.on('delivered', h.onFrame);
  client.on('typing', h.onFrame);
  client.on('presence', h.onFrame);
  client.on('user.updated', h.onFrame);
  client.on('event', h.onEvent);
  client.on('conversation', h.onConversation);
  client.on('unauthorized', h.onUnauthorized);
  client.on('refused', h.onTooManyConnections);
  const network = watchNetwork(client);
  client.connect().catch(() => {});
  return {
    send: (f) => {
      const ack = client.send(f);
      client.probe();
      return ack;
    },
    recall: (cid, seq) => client.recall(cid, seq),
    edit: (cid, seq, text) => client.edit(cid, seq, text),
    react: (cid, seq, emoji, remove) => client.react(cid, seq, emoji, remove),
    pin: (cid, seq, remove) => client.pin(cid, seq, remove),
    read: (cid, seq) => client.read(cid, seq),
    typing: (cid) => client.typing(cid),
    reconnect: () => void client.connect().catch(() => {}),
    close: () => {
      network.stop();
      client.close();
    },
  };
}

/**
 * The browser's word on the network: `offline` means the link is gone (abandon the socket now
 * rather than wait for the heartbeat), `online` means it may be back (reconnect without waiting
 * out the backoff, and check a socket that looks open).
 */
function watchNetwork(client: ParleyClient): { stop(): void } {
  const offline = () => client.linkLost();
  const online = () => {
    client.retryNow();
    client.probe();
  };
  addEventListener('offline', offline);
  addEventListener('online', online);
  return {
    stop() {
      removeEventListener('offline', offline);
      removeEventListener('online', online);
    },
  };
}
