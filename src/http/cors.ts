import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

/** Request headers a cross-origin client may send: the bearer token, JSON bodies, its request id. */
const ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'X-Request-Id'];
/** Response headers a cross-origin client may read besides the safelisted ones. */
const EXPOSED_HEADERS = ['Retry-After', 'X-Request-Id'];

/**
 * CORS for the REST API from `PARLEY_ORIGINS`: a listed Origin (or any, with `*`) gets the CORS
 * headers, preflight included; any other Origin gets none, so the browser keeps the reply from
 * the page. Credentials are not allowed: the API authenticates by bearer token, never by cookie,
 * so nothing ambient rides along. Same-origin requests need no CORS headers and get none.
 */
export async function installCors(app: FastifyInstance, origins: readonly string[]): Promise<void> {
  const any = origins.includes('*');
  const listed = new Set(origins);
  await app.register(cors, {
    origin: any ? '*' : (origin, cb) => cb(null, origin !== undefined && listed.has(origin)),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    credentials: false,
    maxAge: 600,
    // Strict mode answers a preflight without Access-Control-Request-Method with a plain-text
    // 400 outside the coded shape; such a request is simply not a preflight to refuse.
    strictPreflight: false,
  });
}
