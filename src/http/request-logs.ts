import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify';

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
 * Fastify's request log lines, with the same messages and fields, at debug for the quiet paths
 * (Fastify's extension point for its own log lines; errors keep their level).
 */
export class QuietProbeLogs extends LogController {
  override incomingRequest(request: FastifyRequest, reply: FastifyReply) {
    if (!isQuietRequest(request)) return super.incomingRequest(request, reply);
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    if (error || !isQuietRequest(request)) return super.requestCompleted(error, request, reply);
    reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

/** Echoes the request id (the caller's, or the one made for it) on every reply. */
export function installRequestId(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('X-Request-Id', req.id);
    return payload;
  });
}
