import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { HttpContext } from '../context.js';

/**
 * The page's Content-Security-Policy. Scripts and styles only from our own origin (no inline
 * code, no eval), so an injected string cannot run; sockets to our own host; pictures and
 * voice notes from our origin or from blobs the page made itself (previews, recordings).
 */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self' ws: wss:",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Paths that belong to the server, never to the single-page app's router: its own prefixes and
 * the probe names a mistyped health check would use (`/health`, `/ready`).
 */
const SERVER_PATHS = /^\/(api|media|ws|health|healthz|ready|readyz|live|livez|metrics)(\/|$|\?)/;
/** A path ending in a file name: a missing file, never a client route. */
const FILE_PATH = /\/[^/?]*\.[a-z0-9]+(\?|$)/i;

/**
 * Whether a request may get the app page instead of a 404: only what a browser navigates to
 * (it asks for `text/html`), at a path that is neither a server path nor a file. A probe or an
 * API client (`Accept: *\/*` or JSON) at an unknown path gets the coded 404, so a mistyped
 * health check fails instead of answering 200 with the page.
 */
export function servesAppPage(url: string, accept: string | undefined): boolean {
  if (SERVER_PATHS.test(url) || FILE_PATH.test(url)) return false;
  return /(^|,)\s*text\/html\s*(;|,|$)/i.test(accept ?? '');
}

/**
 * Serves the built web client at `/`: hashed assets cached for a year, `index.html` never
 * cached and sent for every other GET that is not a server path (the app routes on the client).
 */
export const webRoutes: FastifyPluginAsyncTypebox<{ ctx: HttpContext }> = async (app, { ctx }) => {
  const root = path.resolve(ctx.config.webDir);
  const index = path.join(root, 'index.html');
  const built = fs.existsSync(index);

  const page = (reply: FastifyReply) => {
    reply.header('Content-Security-Policy', WEB_CSP);
    reply.header('Cache-Control', 'no-cache');
  };

  if (built) {
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      wildcard: false,
      index: false,
      serveDotFiles: false,
      setHeaders(res, file) {
        if (file.startsWith(path.join(root, 'assets') + path.sep)) {
          res.header('Cache-Control', 'public, max-age=31536000, immutable');
        } else {
          res.header('Cache-Control', 'no-cache');
        }
        if (file.endsWith('.html')) res.header('Content-Security-Policy', WEB_CSP);
        // The service worker (web/public/sw.js) runs under its own response's CSP, and its
        // scope is the folder it is served from: the root, so it sees every client route.
        if (file === path.join(root, 'sw.js')) {
          res.header('Content-Security-Policy', WEB_CSP);
          res.header('Service-Worker-Allowed', '/');
        }
      },
      cacheControl: false,
    });
  }

  const spa = async (req: { url: string; headers: { accept?: string } }, reply: FastifyReply) => {
    // `/` is the app itself whoever asks; any other path must look like a browser navigation.
    if (req.url.split('?')[0] !== '/' && !servesAppPage(req.url, req.headers.accept)) return reply.callNotFound();
    page(reply);
    if (!built) {
      return reply
        .status(503)
        .type('text/html; charset=utf-8')
        .send(
          '<!doctype html><meta charset="utf-8"><title>Parley</title><p>The web client is not built. Run <code>npm run build:web</code> (or <code>npm start</code>, which builds it).</p>',
        );
    }
    return reply.type('text/html; charset=utf-8').sendFile('index.html');
  };
  app.get('/', { schema: { hide: true } as object }, spa);
  app.get('/*', { schema: { hide: true } as object }, spa);
};
