import fs from 'node:fs';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import type { Logger } from 'pino';
import type { HttpContext } from './context.js';
import { fail } from '../domain/errors.js';
import { errorBody, toWireError } from '../transport/errors.js';
import { endWithError } from '../transport/raw-response.js';
import { installCors } from './cors.js';
import { QuietProbeLogs, installRequestId, requestId } from './request-logs.js';
import { installErrorHandling } from './errors.js';
import { installDrain } from './drain.js';
import { installJsonBody } from './json-body.js';
import { installPathLimit, MAX_PATH_SEGMENT } from './path-limit.js';
import { installNoNul } from './no-nul.js';
import { accountRoutes } from './routes/accounts.js';
import { opsRoutes } from './routes/ops.js';
import { COMPONENT_SCHEMAS } from './components.js';
import { errorResponse } from './schemas.js';
import { packageVersion } from '../version.js';
import { installValidation } from './validation.js';

export const API_PREFIX = '/api/v1';

/** One registered route, as recorded for the authorization matrix and route listings. */
export interface RouteRecord {
  method: string;
  url: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered on this server (HEAD twins of GET excluded). */
    routeTable: RouteRecord[];
  }
}

/**
 * Completes each documented route's responses with the refusals every route can give, so the
 * document lists what the server really returns: 503 (`UNAVAILABLE`: an outage or the
 * shutdown drain) everywhere, and 413/415 (body over `PARLEY_BODY_LIMIT`, a Content-Type that
 * is not JSON) wherever a body is accepted. A documented route must name its `operationId`.
 */
function documentRefusals(route: RouteOptions) {
  const schema = route.schema as
    | { hide?: boolean; operationId?: string; response?: Record<string, unknown> }
    | undefined;
  if (!schema || schema.hide) return;
  if (!schema.operationId) throw new Error(`${route.method} ${route.url}: a documented route needs an operationId`);
  const response = (schema.response ??= {});
  const methods = [route.method].flat();
  const statuses = methods.some((m) => m === 'POST' || m === 'PUT' || m === 'PATCH') ? [413, 415, 503] : [503];
  for (const status of statuses) response[status] ??= errorResponse(status);
}

/** A feature's routes, registered as an encapsulated plugin that receives the context. */
export type RoutePlugin = FastifyPluginAsyncTypebox<{ ctx: HttpContext }>;

/**
 * Builds the HTTP server: security headers, validation, coded errors, metrics, OpenAPI,
 * then the routes. The WebSocket gateway attaches to `app.server` afterwards.
 */
export async function buildHttp(
  ctx: HttpContext,
  logger: Logger,
  extra: { api?: RoutePlugin[]; root?: RoutePlugin[]; serveApi?: boolean } = {},
): Promise<FastifyInstance> {
  const { config } = ctx;
  const refused = ctx.metrics.refused.rest;
  const tls =
    config.tlsCert && config.tlsKey
      ? { cert: fs.readFileSync(config.tlsCert), key: fs.readFileSync(config.tlsKey) }
      : undefined;
  // Slow clients: Node closes a connection whose headers (or whole request) take longer than
  // these, but looks only every `connectionsCheckingInterval` (30 s by default, which would
  // stretch a 10 s headers timeout to 40 s): look every second, or sooner for short timeouts.
  // The request timeout covers the body too, so it must leave room for the largest upload on
  // a slow link (see PARLEY_HTTP_REQUEST_TIMEOUT); a WebSocket leaves its clock at the upgrade.
  const timeouts = {
    headersTimeout: config.httpHeadersTimeout,
    requestTimeout: config.httpRequestTimeout,
    connectionsCheckingInterval: Math.min(1000, Math.max(25, Math.floor(config.httpHeadersTimeout / 4))),
  };
  const app = Fastify({
    loggerInstance: logger,
    genReqId: requestId,
    logController: new QuietProbeLogs(),
    // Fastify sets the server's requestTimeout from its own option after creating it.
    requestTimeout: config.httpRequestTimeout,
    http: timeouts,
    trustProxy: config.trustProxy,
    bodyLimit: config.bodyLimit,
    // The drain (drain.ts) answers requests arriving during shutdown with the coded 503.
    return503OnClosing: false,
    routerOptions: { maxParamLength: MAX_PATH_SEGMENT },
    // Fix (hardening fuzz): errors raised before routing (an undecodable path, a parameter over
    // maxParamLength, headers over Node's limit) came out in Fastify's own shape
    // {error, code, message, statusCode}; every refusal must carry the coded shape.
    frameworkErrors: (err, _req, res) => {
      const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
      const reply = res as unknown as { status(n: number): { send(b: unknown): unknown } };
      const w = toWireError(
        tooLong ? fail('URI_TOO_LONG', 'A path parameter is too long') : fail('BAD_REQUEST', 'The URL is malformed'),
        refused,
      );
      void reply.status(w.status).send(errorBody(w));
    },
    clientErrorHandler: (err: NodeJS.ErrnoException, socket) => {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      const refusal =
        err.code === 'HPE_HEADER_OVERFLOW'
          ? fail('HEADERS_TOO_LARGE', 'The request line and headers are too large')
          : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? fail('REQUEST_TIMEOUT', 'The request took too long to arrive')
            : fail('BAD_REQUEST', 'Malformed HTTP request');
      // A reply already under way (a handler answered before the body was in) is not interrupted
      // by a second status line: the connection just ends.
      const replying = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
      if (socket.writable && !replying) endWithError(socket, refusal, {}, refused);
      else socket.destroy();
    },
    ...(tls ? { https: { ...tls, ...timeouts } } : {}),
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as FastifyInstance;

  const routeTable: RouteRecord[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routeTable.push({ method, url: r.url });
  });

  // The API speaks JSON only; a text/plain body is refused with 415 rather than validated.
  app.removeContentTypeParser('text/plain');
  installJsonBody(app);
  installValidation(app);
  installErrorHandling(app, refused);
  installDrain(app, refused);
  installRequestId(app);
  installPathLimit(app);
  installNoNul(app);
  await installCors(app, config.origins);
  for (const schema of COMPONENT_SCHEMAS) app.addSchema(schema);
  app.addHook('onRoute', documentRefusals);

  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Frame-Options', 'DENY');
    if (tls) reply.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    ctx.metrics.httpDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unknown', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Parley API',
        version: packageVersion(),
        description:
          'REST API of the Parley instant-messaging server. Errors are {"error":{"code","message","temporary"?}}. ' +
          'Operation ids and the names of components.schemas are stable: generated clients may rely on them.',
        license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
      },
      // Paths carry their own prefix, so the API lives at the root of whichever host serves it.
      servers: [{ url: '/', description: 'The server that published this document' }],
      tags: [
        { name: 'accounts', description: 'Registration, login, my profile and sessions, user lookup' },
        { name: 'contacts', description: 'Friend requests, friends and blocks' },
        { name: 'groups', description: 'Groups, members, roles and join requests' },
        { name: 'conversations', description: 'Conversation lists, history, sends and read positions' },
        { name: 'media', description: 'Uploads and the bytes behind signed URLs' },
        { name: 'push', description: 'Web Push: the VAPID key and my devices that get notifications' },
        { name: 'ops', description: 'Probes and the API description' },
      ],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _frag, i) => String(json.$id ?? `def-${i}`) },
  });
  if (extra.serveApi !== false) await app.register(swaggerUi, { routePrefix: `${API_PREFIX}/docs` });

  await app.register(opsRoutes, { ctx });
  if (extra.serveApi === false) {
    // PARLEY_ROLE=gateway: this node serves WebSocket and ops routes only.
    await app.register(
      async (api) => {
        api.all('/*', { schema: { hide: true } as object }, async () => {
          throw fail(
            'MISDIRECTED',
            `This node serves WebSocket only (PARLEY_ROLE=${ctx.config.role}); send REST requests to an api node`,
          );
        });
      },
      { prefix: API_PREFIX },
    );
    for (const plugin of extra.root ?? []) await app.register(plugin, { ctx });
    return app;
  }
  await app.register(
    async (api) => {
      api.get(
        '/openapi.json',
        {
          schema: {
            tags: ['ops'],
            operationId: 'getOpenApi',
            summary: 'This document (OpenAPI 3.0)',
            security: [],
            response: { 200: { type: 'object', additionalProperties: true } },
          },
        },
        async () => app.swagger(),
      );
      await api.register(accountRoutes, { ctx });
      for (const plugin of extra.api ?? []) await api.register(plugin, { ctx });
    },
    { prefix: API_PREFIX },
  );
  for (const plugin of extra.root ?? []) await app.register(plugin, { ctx });
  return app;
}
