import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Bus } from '../bus/bus.js';
import { bearerToken } from '../http/auth.js';
import { codecFor } from '../protocol/codec.js';
import { CloseCodes, SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK } from '../protocol/frames.js';
import type { Actor } from '../services/accounts.js';
import { Connection, type ConnectionDeps } from './connection.js';
import { Hub } from './hub.js';

export const WS_PATH = '/ws';

export interface Gateway {
  hub: Hub;
  /** Stops accepting upgrades and closes every socket with 1001. */
  close(): Promise<void>;
}

/** True when a browser page from `origin` may open a socket: same origin, or listed (`*` = any). */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true; // not a browser: no ambient credentials to ride on
  if (allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

function refuse(socket: Duplex, status: number, code: string, message: string) {
  const body = JSON.stringify({ error: { code, message } });
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' }[status] ?? 'Error';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  setTimeout(() => socket.destroy(), 1000).unref();
}

/**
 * The WebSocket gateway at `/ws` on the same HTTP server as the REST API (`ws` in noServer
 * mode). Before upgrading: the Origin allowlist (403) and, when an Authorization header is
 * sent, the token (401). Then the codec by subprotocol, the heartbeat and the hub.
 */
export async function attachGateway(server: Server, bus: Bus, deps: Omit<ConnectionDeps, 'hub'>): Promise<Gateway> {
  const { config, clock, log, metrics, accounts, messaging } = deps;
  const hub = new Hub(bus, log, (n) => metrics.deliveries.inc(n));
  await hub.start((keys) => messaging.cache.invalidate(keys));
  const cdeps: ConnectionDeps = { ...deps, hub };
  const conns = new Set<Connection>();
  let closing = false;

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.frameLimit,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL_MSGPACK) ? SUBPROTOCOL_MSGPACK : protocols.has(SUBPROTOCOL_JSON) ? SUBPROTOCOL_JSON : false),
  });

  const onUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    try {
      const path = (req.url ?? '').split('?')[0];
      if (path !== WS_PATH) return refuse(socket, 404, 'ROUTE_NOT_FOUND', 'No WebSocket endpoint here');
      if (closing) return refuse(socket, 503, 'UNAVAILABLE', 'Shutting down');
      if (!originAllowed(req.headers.origin, req.headers.host, config.origins)) return refuse(socket, 403, 'FORBIDDEN', 'Origin not allowed');
      let actor: Actor | undefined;
      if (req.headers.authorization !== undefined) {
        const token = bearerToken(req.headers.authorization);
        try {
          if (!token) throw new Error('malformed');
          actor = await accounts.authenticate(token);
        } catch {
          return refuse(socket, 401, 'UNAUTHENTICATED', 'Missing, expired or revoked token');
        }
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const conn = new Connection(ws, codecFor(ws.protocol || undefined), cdeps);
        conns.add(conn);
        ws.on('close', () => conns.delete(conn));
        if (closing) return conn.close(CloseCodes.GOING_AWAY, 'shutting down');
        conn.start(actor);
      });
    } catch (err) {
      log.warn({ err }, 'upgrade failed');
      refuse(socket, 503, 'UNAVAILABLE', 'Try again');
    }
  };
  server.on('upgrade', onUpgrade);

  // One heartbeat timer for all sockets: ping, and close the ones silent for too long.
  const stopBeat = clock.setInterval(() => {
    const now = clock.now();
    for (const c of conns) {
      if (now - c.lastSeen > config.idleTimeout) c.close(CloseCodes.IDLE, 'idle');
      else c.ping();
    }
  }, config.pingInterval);

  return {
    hub,
    async close() {
      closing = true;
      stopBeat();
      server.off('upgrade', onUpgrade);
      for (const c of conns) c.close(CloseCodes.GOING_AWAY, 'server shutting down');
      const until = Date.now() + 2000;
      while (conns.size && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      for (const c of conns) c.terminate();
      await hub.stop();
    },
  };
}
