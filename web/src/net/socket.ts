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
  read(cid: string, seq: number): void;
  typing(cid: string): void;
  close(): void;
}

export interface SocketHandlers {
  /** Entries in seq order per conversation, each once (the protocol client guarantees it). */
  onEntry(e: Entry): void;
  onFrame(f: ServerFrame): void;
  onEvent(e: UserEvent): void;
  onConversation(c: ConversationSummary): void;
  onState(state: ConnState): void;
  onUnauthorized(): void;
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
    state: { conversations: held },
  });
  client.on('state', (s) => h.onState(s === 'idle' ? 'connecting' : s));
  client.on('message', h.onEntry);
  client.on('receipt', h.onFrame);
  client.on('typing', h.onFrame);
  client.on('presence', h.onFrame);
  client.on('event', h.onEvent);
  client.on('conversation', h.onConversation);
  client.on('unauthorized', h.onUnauthorized);
  client.connect().catch(() => {});
  return {
    send: (f) => client.send(f),
    recall: (cid, seq) => client.recall(cid, seq),
    edit: (cid, seq, text) => client.edit(cid, seq, text),
    read: (cid, seq) => client.read(cid, seq),
    typing: (cid) => client.typing(cid),
    close: () => client.close(),
  };
}
