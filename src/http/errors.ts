import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, type ErrorCode, isAppError } from '../domain/errors.js';
import { isConnectionError } from '../store/dialect.js';

/** The one error body shape: `{"error": {"code", "message"}}`. */
export function errorBody(code: ErrorCode | string, message: string, details?: Record<string, unknown>) {
  return { error: { code, message, ...(details ? { details } : {}) } };
}

/**
 * Writes a coded error as a whole HTTP/1.1 response straight to a socket and ends it: for
 * refusals made outside Fastify's reply (client errors before routing, WebSocket upgrades),
 * so they carry the same JSON body as every other error.
 */
export function endWithError(socket: Duplex, status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(errorBody(code, message));
  const head = { Connection: 'close', 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), ...headers };
  const lines = Object.entries(head).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n${lines}\r\n${body}`);
  // A client that never reads would keep the socket half-open: give it a second, then drop it.
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** Maps Fastify's own errors (parsing, validation, limits) onto the coded catalogue. */
function fromFastify(e: FastifyError): AppError | undefined {
  switch (e.code) {
    case 'FST_ERR_VALIDATION':
      return new AppError('VALIDATION_FAILED', e.message);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', 'The request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Content-Type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('INVALID_JSON', 'The body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('BAD_REQUEST', 'Content-Length does not match the body');
  }
  if (e instanceof SyntaxError) return new AppError('INVALID_JSON', 'The body is not valid JSON');
  if (e.statusCode === 413) return new AppError('PAYLOAD_TOO_LARGE', 'The request body is too large');
  if (e.statusCode === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Content-Type');
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return new AppError('BAD_REQUEST', e.message);
  return undefined;
}

export function installErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const known = isAppError(err) ? err : fromFastify(err);
    if (known) {
      if (known.code === 'RATE_LIMITED' || known.code === 'TOO_MANY_ATTEMPTS') {
        const ms = Number(known.details?.retryAfterMs ?? 1000);
        reply.header('Retry-After', String(Math.max(1, Math.ceil(ms / 1000))));
      }
      return reply.status(known.status).send(errorBody(known.code, known.message));
    }
    if ((err as { code?: string }).code === 'UNAVAILABLE' || isConnectionError(err)) {
      req.log.warn({ err }, 'dependency unavailable');
      return reply.status(503).send(errorBody('UNAVAILABLE', 'The service is temporarily unavailable; try again'));
    }
    req.log.error({ err }, 'unhandled error');
    return reply.status(500).send(errorBody('INTERNAL', 'Internal error'));
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send(errorBody('ROUTE_NOT_FOUND', `No route ${req.method} ${req.url.split('?')[0]}`));
  });
}
