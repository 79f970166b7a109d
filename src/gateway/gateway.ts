import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Bus } from '../bus/bus.js';
import { fail, isAppError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { codecFor, CloseCodes, SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK } from '@parley/client';
import type { Actor } from '../services/accounts.js';
import { Connection, type ConnectionDeps } from './connection.js';
import { Hub } from './hub.js';
import { bearerToken } from '../transport/bearer.js';
import { endWithError } from '../transport/raw-response.js';
import { restartSocketsOnBusRecovery } from './bus-recovery.js';
import { UnauthSockets } from './unauth-sockets.js';

export const WS_PATH = '/ws';

export interface Gateway {
  hub: Hub;
  /** Stops accepting upgrades and closes every socket with 1001. */
  close(): Promise<void>;
}

/** True when a browser page from `origin` may open a socket: same origin, or listed (`*` = any). */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined) return true; // not a browser: no ambient credentials to ride on
  if (allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** The client's address: the first `X-Forwarded-For` hop behind a trusted proxy, else the peer. */
function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const fwd = req.headers['x-forwarded-for'];
  const first = trustProxy ? (Array.isArray(fwd) ? fwd[0] : fwd)?.split(',')[0]?.trim() : undefined;
  return first || req.socket.remoteAddress || 'unknown';
}

/**
 * The WebSocket gateway at `/ws` on the same HTTP server as the REST API (`ws` in noServer
 * mode). Before upgrading: the Origin allowlist (403) and, when an Authorization header is
 * sent, the token (401) and the per-user connection limit (429). Every refusal, ws's own for
 * malformed handshakes included, is an HTTP status with the coded JSON body. Then the codec by
 * subprotocol, the heartbeat and the hub.
 */
export async function attachGateway(server: Server, bus: Bus, deps: Omit<ConnectionDeps, 'hub'>): Promise<Gateway> {
  const { config, clock, log, metrics, accounts, lifecycle } = deps;
  /** Refuses an upgrade with the status, coded JSON body and Retry-After of every other error. */
  const refuse = (socket: Duplex, err: unknown, headers: Record<string, string> = {}) =>
    endWithError(socket, err, headers, metrics.refused.ws);
  const hub = new Hub(bus, log, (n) => metrics.deliveries.inc(n));
  const cdeps: ConnectionDeps = { ...deps, hub };
  const conns = new Set<Connection>();
  const unauth = new UnauthSockets(config.unauthSocketsPerAddress, config.unauthSockets);
  let closing = false;

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.frameLimit,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: (protocols) =>
      protocols.has(SUBPROTOCOL_MSGPACK)
        ? SUBPROTOCOL_MSGPACK
        : protocols.has(SUBPROTOCOL_JSON)
          ? SUBPROTOCOL_JSON
          : false,
  });
  // A handshake ws finds malformed (method, Upgrade, key, version, subprotocol list): with a
  // listener here ws leaves the answer to us instead of writing a text/html one.
  wss.on('wsClientError', (err: Error, socket: Duplex, req: IncomingMessage) => {
    const version = Number(req.headers['sec-websocket-version']);
    const headers: Record<string, string> = version === 13 || version === 8 ? {} : { 'Sec-WebSocket-Version': '13, 8' };
    if (req.method !== 'GET')
      refuse(socket, fail('METHOD_NOT_ALLOWED', 'A WebSocket upgrade must be a GET'), { Allow: 'GET' });
    else refuse(socket, fail('BAD_REQUEST', `Malformed WebSocket handshake: ${err.message}`), headers);
  });

  const onUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    try {
      const path = (req.url ?? '').split('?')[0];
      if (path !== WS_PATH) return refuse(socket, fail('ROUTE_NOT_FOUND', 'No WebSocket endpoint here'));
      if (closing) return refuse(socket, fail('UNAVAILABLE', 'Shutting down'));
      if (!originAllowed(req.headers.origin, req.headers.host, config.origins))
        return refuse(socket, fail('FORBIDDEN', 'Origin not allowed'));
      let actor: Actor | undefined;
      const connId = newId();
      if (req.headers.authorization !== undefined) {
        const token = bearerToken(req.headers.authorization);
        try {
          if (!token) throw new Error('malformed');
          actor = await accounts.authenticate(token);
        } catch (e) {
          // Only a bad token is a 401; a database that cannot check it (UNAVAILABLE) is the outer 503.
          if (token && !(isAppError(e) && e.code === 'UNAUTHENTICATED')) throw e;
          return refuse(socket, fail('UNAUTHENTICATED', 'Missing, expired or revoked token'));
        }
        // The user is known before the upgrade, so the limit can refuse with a status (an
        // auth-frame socket can only be closed with 4008 once it has said who it is).
        if (!(await lifecycle.admit(actor.userId, connId))) {
          return refuse(
            socket,
            fail('TOO_MANY_CONNECTIONS', `At most ${config.connectionsPerUser} connections per user`, {
              retryAfterMs: 5000,
            }),
          );
        }
      }
      // Without credentials the socket has yet to say who it is: capped per address and in total.
      let release: (() => void) | undefined;
      if (!actor) {
        release = unauth.take(clientAddress(req, config.trustProxy));
        if (!release)
          return refuse(
            socket,
            fail('TOO_MANY_CONNECTIONS', 'Too many connections waiting to authenticate', { retryAfterMs: 5000 }),
          );
        socket.once('close', () => release?.());
      }
      let started = false;
      // The slot taken above is the Connection's once it starts; until then (a handshake ws
      // refuses, a client that vanishes, a shutdown) the socket's end gives it back.
      if (actor)
        socket.once('close', () => {
          if (!started) void lifecycle.release(actor.userId, connId).catch(() => {});
        });
      wss.handleUpgrade(req, socket, head, (ws) => {
        const conn = new Connection(ws, codecFor(ws.protocol || undefined), cdeps, connId);
        conn.releaseUnauth = release;
        conns.add(conn);
        ws.on('close', () => conns.delete(conn));
        if (closing) return conn.close(CloseCodes.GOING_AWAY, 'shutting down');
        started = true;
        conn.start(actor, actor !== undefined);
      });
    } catch (err) {
      log.warn({ err }, 'upgrade failed');
      // A coded failure (the store's UNAVAILABLE) keeps its code; anything else during the
      // handshake (a connection counter that cannot be reached) is also "try again".
      refuse(socket, isAppError(err) ? err : fail('UNAVAILABLE', 'Try again'));
    }
  };
  server.on('upgrade', onUpgrade);
  // Frames published while the bus was down are lost: make the clients reconnect and sync.
  restartSocketsOnBusRecovery(
    bus,
    () => conns,
    log,
    () => closing,
  );

  // One heartbeat timer for all sockets: ping, close the ones silent for too long, and check
  // sessions (expired or revoked ones close their sockets; use keeps them alive).
  const stopBeat = clock.setInterval(() => {
    const now = clock.now();
    for (const c of conns) {
      if (now - c.lastSeen > config.idleTimeout) c.close(CloseCodes.IDLE, 'idle');
      else {
        c.ping();
        c.checkSession(now);
      }
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
    },
  };
}
