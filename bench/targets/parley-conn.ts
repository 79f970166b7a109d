import WebSocket from 'ws';
import { dmId, groupConversationId } from '../../src/domain/conversation-id.js';
import { ParleyClient, type WebSocketCtor } from '@parley/client';
import { rawSocket, scanFrames } from '../lib/frame-scan.js';
import type { BenchConn, BenchUser, ConnectOptions } from './target.js';

/**
 * A `ws` WebSocket bound to one loopback source address: THE protocol client takes a
 * WebSocket constructor of (url, protocols), so the generator's socket options ride on a
 * subclass rather than on a second client implementation.
 */
function socketFrom(localAddress: string, opened: (ws: WebSocket) => void): WebSocketCtor {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { localAddress, perMessageDeflate: false, skipUTF8Validation: true });
      opened(this);
    }
  } as unknown as WebSocketCtor;
}

/**
 * One Parley connection for the generator, through THE protocol client (@parley/client):
 * auth frame, ready, sync, then `send` out and `message`/`ack`/`error` in. Reconnection is
 * effectively off (a dropped socket is an error to report, not something to hide).
 */
export async function connectParley(wsUrl: string, user: BenchUser, opts: ConnectOptions): Promise<BenchConn> {
  let socket: WebSocket | undefined;
  const client = new ParleyClient({
    urls: [wsUrl],
    token: user.token!,
    WebSocket: socketFrom(opts.localAddress, (ws) => {
      socket = ws;
    }),
    codec: opts.codec ?? 'json',
    backoffInitialMs: 60_000,
    backoffMaxMs: 60_000,
    // PARLEY_BENCH_RECEIVED=false: clients do not report delivery (to measure what it costs).
    autoReceived: process.env.PARLEY_BENCH_RECEIVED !== 'false',
  });
  const ignore = () => {};
  const conn: BenchConn = {
    user,
    sendDirect: (peer, text, clientId) =>
      void client.send({ to: dmId(user.id, peer.id), kind: 'text', text, clientId }).catch(ignore),
    sendGroup: (groupId, text, clientId) =>
      void client.send({ to: groupConversationId(groupId), kind: 'text', text, clientId }).catch(ignore),
    settled: () => client.synced(),
    lighten: (onPayload) => scanFrames(rawSocket(socket), onPayload),
    close: () => client.close(),
  };
  client.on('message', (e) => {
    if (e.sender !== user.id && e.text !== undefined) conn.onMessage?.(e.text);
  });
  client.on('ack', (a) => conn.onAck?.(a.clientId));
  client.on('error', (f) => conn.onError?.(f.code));
  client.on('state', (s) => {
    if (s === 'reconnecting') conn.onError?.('disconnected');
  });
  try {
    await client.connect();
  } catch (e) {
    client.close();
    throw e;
  }
  return conn;
}
