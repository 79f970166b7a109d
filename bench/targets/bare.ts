import WebSocket from 'ws';
import { rawSocket, scanFrames } from '../lib/frame-scan.js';
import { type SpawnOptions, spawnServer } from '../lib/spawn-server.js';
import {
  type BenchConn,
  type BenchUser,
  type ConnectOptions,
  type Target,
  type WorldSpec,
  plainWorld,
} from './target.js';

/** The bare `ws` baseline (bench/servers/bare-ws.ts). */
export async function bareTarget(spawn: Partial<SpawnOptions> = {}): Promise<Target> {
  const server = await spawnServer({ script: 'bench/servers/bare-ws.ts', readiness: 'stdout', ...spawn });
  const wsUrl = server.url.replace('http', 'ws');
  return {
    name: 'bare',
    server,
    acks: false,
    async prepare(spec: WorldSpec) {
      return plainWorld(spec);
    },
    connect(user: BenchUser, opts: ConnectOptions) {
      return new Promise<BenchConn>((resolve, reject) => {
        const ws = new WebSocket(wsUrl, {
          headers: { 'x-user': user.id, 'x-groups': user.groups.join(',') },
          localAddress: opts.localAddress,
          perMessageDeflate: false,
          skipUTF8Validation: true,
        });
        const conn: BenchConn = {
          user,
          sendDirect(peer, text) {
            ws.send(`u:${peer.id}\n${text}`);
          },
          sendGroup(groupId, text) {
            ws.send(`g:${groupId}\n${text}`);
          },
          lighten: (onPayload) => scanFrames(rawSocket(ws), onPayload),
          close: () => ws.terminate(),
        };
        ws.on('message', (data: Buffer) => {
          const nl = data.indexOf(10);
          conn.onMessage?.(data.toString('utf8', nl + 1));
        });
        ws.once('open', () => resolve(conn));
        ws.once('error', (e) => {
          reject(e);
          conn.onError?.(e.message);
        });
        ws.on('close', () => conn.onError?.('closed'));
      });
    },
    stop: () => server.stop(),
  };
}
