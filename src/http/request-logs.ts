import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** The header a balancer or client names a request by; echoed on every reply. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * A request id we take as given: short and of characters that cannot break a log line or a
 * header (UUIDs, hex, base64url, nginx's `$request_id`, dotted or colon-separated traces).
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The id of a request: the caller's `X-Request-Id` when sane, otherwise a fresh UUID. */
export function requestId(req: Pick<IncomingMessage, 'headers'>): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

/** Probe and scrape paths: asked every few seconds by machines, so logged below info. */
const QUIET_PATHS = /^\/(healthz|readyz|metrics)(\?|$)/;

/** Whether a request's own log lines ("incoming request", "request completed") go at debug. */
export function isQuietRequest(req: { url?: string }): boolean {
  return QUIET_PATHS.test(req.url ?? '');
}

/**
 * Logs the quiet requests Fastify's own request logging skips (see `disableRequestLogging` in
 * server.ts), with the same messages and fields, at debug; and echoes the request id.
 */
export function installRequestLogs(app: FastifyInstance): void {
  app.addHook('onRequest', async (req) => {
    if (isQuietRequest(req)) req.log.debug({ req }, 'incoming request');
  });
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('X-Request-Id', req.id);
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    if (isQuietRequest(req)) reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  });
}
