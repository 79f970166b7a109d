import type { AckFrame, SendFrame, ServerFrame } from '../../../src/protocol/frames.js';
import type { ConnState } from '../state/app.js';

/** What the web app needs from the live connection; implemented over THE protocol client. */
export interface Socket {
  send(frame: Omit<SendFrame, 'type'>): Promise<AckFrame>;
  recall(cid: string, seq: number): Promise<void>;
  edit(cid: string, seq: number, text: string): Promise<void>;
  read(cid: string, seq: number): void;
  typing(cid: string): void;
  close(): void;
}

export interface SocketHandlers {
  onFrame(f: ServerFrame): void;
  onState(state: ConnState, retryAt?: number): void;
  /** Last seq held per conversation, for catch-up. */
  held(): Record<string, number>;
}

/** The socket URL of this page's server (same origin; the token goes in the first frame). */
export function socketUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

export function connectSocket(_token: string, handlers: SocketHandlers): Socket {
  // Placeholder until src/protocol/client.ts lands from the messaging branch.
  handlers.onState('offline');
  const no = () => Promise.reject(new Error('Live connection not available'));
  return { send: no, recall: no, edit: no, read() {}, typing() {}, close() {} };
}
