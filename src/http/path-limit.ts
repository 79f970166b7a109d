import type { FastifyInstance } from 'fastify';
import { fail } from '../domain/errors.js';

/** The longest path segment (so the longest path parameter) the server accepts, as written in the URL. */
export const MAX_PATH_SEGMENT = 200;
/**
 * The longest query string (after `?`, as written). No route needs more (a search term, a cursor,
 * a signed media URL's two fields); an unbounded one would be echoed by redirects (the API
 * reference's static files answer 302 with the query in `Location`) into response headers larger
 * than clients accept.
 */
export const MAX_QUERY = 4096;

/**
 * 414 `URI_TOO_LONG` for any path with a segment over {@link MAX_PATH_SEGMENT} characters. The
 * router's `maxParamLength` reports this only when no route matched at all; where a wildcard
 * route exists (`GET /*` serves the web client) the over-long parameter fell through to it and
 * came out as 404 `ROUTE_NOT_FOUND`. A root hook sees every request, matched or not, so the
 * answer no longer depends on the method or on which routes happen to exist. A query string over
 * {@link MAX_QUERY} characters is 414 too.
 */
export function installPathLimit(app: FastifyInstance) {
  app.addHook('onRequest', async (req) => {
    const q = req.url.indexOf('?');
    const path = q === -1 ? req.url : req.url.slice(0, q);
    if (q !== -1 && req.url.length - q - 1 > MAX_QUERY) throw fail('URI_TOO_LONG', 'The query string is too long');
    if (path.length <= MAX_PATH_SEGMENT) return;
    for (const segment of path.split('/'))
      if (segment.length > MAX_PATH_SEGMENT) throw fail('URI_TOO_LONG', 'A path parameter is too long');
  });
}
