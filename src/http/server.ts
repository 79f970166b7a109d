import fs from 'node:fs';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { HttpContext } from './context.js';
import { errorBody, installErrorHandling } from './errors.js';
import { accountRoutes } from './routes/accounts.js';
import { opsRoutes } from './routes/ops.js';
import { ErrorReply } from './schemas.js';
import { installValidation } from './validation.js';

export const API_PREFIX = '/api/v1';

/** A feature's routes, registered as an encapsulated plugin that receives the context. */
export type RoutePlugin = FastifyPluginAsyncTypebox<{ ctx: HttpContext }>;

/**
 * Builds the HTTP server: security headers, validation, coded errors, metrics, OpenAPI,
 * then the routes. The WebSocket gateway attaches to `app.server` afterwards.
 */
export async function buildHttp(ctx: HttpContext, logger: Logger, extra: { api?: RoutePlugin[]; root?: RoutePlugin[]; serveApi?: boolean } = {}): Promise<FastifyInstance> {
  const { config } = ctx;
  const tls = config.tlsCert && config.tlsKey
    ? { cert: fs.readFileSync(config.tlsCert), key: fs.readFileSync(config.tlsKey) }
    : undefined;
  const app = Fastify({
    loggerInstance: logger,
    trustProxy: config.trustProxy,
    bodyLimit: config.bodyLimit,
    routerOptions: { maxParamLength: 200 },
    ...(tls ? { https: tls } : {}),
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as FastifyInstance;

  // The API speaks JSON only; a text/plain body is refused with 415 rather than validated.
  app.removeContentTypeParser('text/plain');
  installValidation(app);
  installErrorHandling(app);
  app.addSchema(ErrorReply);

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
      info: { title: 'Parley API', version: '1.0.0', description: 'REST API of the Parley instant-messaging server. Errors are {"error":{"code","message"}}.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _frag, i) => String(json.$id ?? `def-${i}`) },
  });
  if (extra.serveApi !== false) await app.register(swaggerUi, { routePrefix: `${API_PREFIX}/docs` });

  await app.register(opsRoutes, { ctx });
  if (extra.serveApi === false) {
    // PARLEY_ROLE=gateway: this node serves WebSocket and ops routes only.
    await app.register(async (api) => {
      api.all('/*', { schema: { hide: true } as object }, async (_req, reply) => reply.status(421).send(errorBody(
        'MISDIRECTED', `This node serves WebSocket only (PARLEY_ROLE=${ctx.config.role}); send REST requests to an api node`)));
    }, { prefix: API_PREFIX });
    for (const plugin of extra.root ?? []) await app.register(plugin, { ctx });
    return app;
  }
  await app.register(async (api) => {
    api.get('/openapi.json', { schema: { hide: true } as object }, async () => app.swagger());
    await api.register(accountRoutes, { ctx });
    for (const plugin of extra.api ?? []) await api.register(plugin, { ctx });
  }, { prefix: API_PREFIX });
  for (const plugin of extra.root ?? []) await app.register(plugin, { ctx });
  return app;
}
