import WebSocket from 'ws';
import { codecFor } from '../../src/protocol/codec.js';
import { dmId, groupConversationId } from '../../src/domain/conversation-id.js';
import { SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK, type ServerFrame } from '../../src/protocol/frames.js';
import type { BenchConn, BenchUser, ConnectOptions } from './target.js';

/**
 * One Parley connection for the generator: Bearer auth on the upgrade, then `send` frames out
 * and `message`/`ack`/`error` frames in, decoded with the protocol codecs.
 */
export function connectParley(wsUrl: string, user: BenchUser, opts: ConnectOptions): Promise<BenchConn> {
  const codec = codecFor(opts.codec === 'msgpack' ? SUBPROTOCOL_MSGPACK : SUBPROTOCOL_JSON);
  return new Promise<BenchConn>((resolve, reject) => {
    const ws = new WebSocket(wsUrl, [codec.subprotocol], {
      headers: { authorization: `Bearer ${user.token}` },
      localAddress: opts.localAddress,
      perMessageDeflate: false,
      skipUTF8Validation: true,
    });
    let ready = false;
    const send = (to: string, text: string, clientId: string) => ws.send(codec.encode({ type: 'send', clientId, to, kind: 'text', text }));
    const conn: BenchConn = {
      user,
      sendDirect: (peer, text, clientId) => send(dmId(user.id, peer.id), text, clientId),
      sendGroup: (groupId, text, clientId) => send(groupConversationId(groupId), text, clientId),
      close: () => ws.terminate(),
    };
    ws.on('message', (data: Buffer, isBinary) => {
      let f: ServerFrame;
      try {
        f = codec.decode(isBinary ? data : data.toString('utf8')) as ServerFrame;
      } catch {
        conn.onError?.('undecodable frame');
        return;
      }
      switch (f.type) {
        case 'message':
          if (f.entry.sender !== user.id && f.entry.text !== undefined) conn.onMessage?.(f.entry.text);
          break;
        case 'ack':
          conn.onAck?.(f.clientId);
          break;
        case 'ready':
          ready = true;
          resolve(conn);
          break;
        case 'error':
          conn.onError?.(f.code);
          break;
      }
    });
    ws.once('error', (e) => {
      if (!ready) reject(e);
      conn.onError?.(e.message);
    });
    ws.on('close', (code) => {
      if (!ready) reject(new Error(`closed before ready: ${code}`));
      else conn.onError?.(`closed ${code}`);
    });
  });
}
