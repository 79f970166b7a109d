import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, fail, isAppError } from '../domain/errors.js';
import { type RefusalObserver, errorBody, retryAfterSeconds, toWireError } from '../transport/errors.js';

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

/** Fastify's error and not-found handlers, both answering through the shared wire mapping. */
export function installErrorHandling(app: FastifyInstance, observe?: RefusalObserver) {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const w = toWireError(isAppError(err) ? err : (fromFastify(err) ?? err), observe);
    req.log[w.level](
      { err },
      w.level === 'error' ? 'unhandled error' : w.level === 'warn' ? 'dependency unavailable' : 'request refused',
    );
    const retryAfter = retryAfterSeconds(w);
    if (retryAfter) reply.header('Retry-After', retryAfter);
    return reply.status(w.status).send(errorBody(w));
  });
  app.setNotFoundHandler((req, reply) => {
    const w = toWireError(fail('ROUTE_NOT_FOUND', `No route ${req.method} ${req.url.split('?')[0]}`), observe);
    reply.status(w.status).send(errorBody(w));
  });
}
