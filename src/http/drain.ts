import type { FastifyInstance } from 'fastify';
import { AppError } from '../domain/errors.js';
import { type RefusalObserver, errorBody, toWireError } from '../transport/errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Graceful stop of the HTTP server. Stops accepting connections; a request that arrives
     * on an open keep-alive connection meanwhile gets the coded 503 `UNAVAILABLE` and
     * `Connection: close`; requests in flight finish (their replies carry `Connection: close`),
     * and idle keep-alive sockets are closed as soon as they are idle. After `graceMs` the
     * connections still open are destroyed, so the promise always settles and the caller can
     * go on to flush and close the store. Resolves `true` when everything finished in time.
     */
    closeGracefully(graceMs: number): Promise<boolean>;
  }
}

/** How often idle keep-alive sockets are looked for during the drain. */
const IDLE_SWEEP_MS = 50;

/**
 * Installs the drain behaviour; call before any route is registered so its hooks cover
 * every route (and the 404 handler).
 */
export function installDrain(app: FastifyInstance, observe?: RefusalObserver): void {
  let draining = false;

  app.addHook('onRequest', async (_req, reply) => {
    if (!draining) return;
    reply.header('Connection', 'close');
    const w = toWireError(new AppError('UNAVAILABLE', 'The server is shutting down; try again'), observe);
    return reply.status(w.status).send(errorBody(w));
  });
  // A request that was already in flight when the drain began: its keep-alive connection
  // must not outlive the reply, or server.close() would wait for the keep-alive timeout.
  app.addHook('onSend', async (_req, reply, payload) => {
    if (draining) reply.header('Connection', 'close');
    return payload;
  });

  app.decorate('closeGracefully', async (graceMs: number) => {
    draining = true;
    const server = app.server;
    // A reply whose headers left before the drain began cannot carry `Connection: close`:
    // its socket becomes idle afterwards and is reaped by this sweep.
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    let inTime = true;
    const cut = setTimeout(() => {
      inTime = false;
      app.log.warn({ graceMs }, 'shutdown grace period passed; closing the connections still open');
      server.closeAllConnections();
    }, graceMs);
    try {
      await app.close();
    } finally {
      clearInterval(sweep);
      clearTimeout(cut);
    }
    return inTime;
  });
}
