import { io } from 'socket.io-client';
import { clientFrame, rawSocket, scanFrames } from '../lib/frame-scan.js';
import { type SpawnOptions, spawnServer } from '../lib/spawn-server.js';
import {
  type BenchConn,
  type BenchUser,
  type ConnectOptions,
  type Target,
  type WorldSpec,
  plainWorld,
} from './target.js';

/** The Socket.IO rooms baseline (bench/servers/socketio.ts), WebSocket transport only. */
export async function socketioTarget(spawn: Partial<SpawnOptions> = {}): Promise<Target> {
  const server = await spawnServer({ script: 'bench/servers/socketio.ts', readiness: 'stdout', ...spawn });
  return {
    name: 'socketio',
    server,
    acks: true,
    async prepare(spec: WorldSpec) {
      return plainWorld(spec);
    },
    connect(user: BenchUser, opts: ConnectOptions) {
      return new Promise<BenchConn>((resolve, reject) => {
        const socket = io(server.url, {
          transports: ['websocket'],
          forceNew: true, // one Manager (and socket) per connection, not one multiplexed
          reconnection: false,
          auth: { user: user.id, groups: user.groups },
          localAddress: opts.localAddress,
          timeout: 60_000,
        } as unknown as Parameters<typeof io>[1]);
        const conn: BenchConn = {
          user,
          sendDirect(peer, text, clientId) {
            socket.emit('send', { to: `u:${peer.id}`, text }, () => conn.onAck?.(clientId));
          },
          sendGroup(groupId, text, clientId) {
            socket.emit('send', { to: `g:${groupId}`, text }, () => conn.onAck?.(clientId));
          },
          // Engine.IO's heartbeat is a text frame "2" the client answers with "3".
          lighten: (onPayload) => {
            const tcp = rawSocket((socket.io.engine as unknown as { transport: { ws?: unknown } }).transport.ws);
            const pong = clientFrame(0x1, Buffer.from('3'));
            scanFrames(tcp, (buf, start, end) => {
              if (end - start === 1 && buf[start] === 0x32) tcp.write(pong);
              else onPayload(buf, start, end);
            });
          },
          close: () => socket.disconnect(),
        };
        socket.on('message', (m: { text: string }) => conn.onMessage?.(m.text));
        socket.once('connect', () => resolve(conn));
        socket.once('connect_error', (e) => {
          reject(e);
          conn.onError?.(e.message);
        });
        socket.on('disconnect', (why) => {
          if (why !== 'io client disconnect') conn.onError?.(`disconnect: ${why}`);
        });
      });
    },
    stop: () => server.stop(),
  };
}
