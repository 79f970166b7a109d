import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { HttpContext } from '../context.js';

/** Liveness, readiness and Prometheus metrics, outside the API prefix. */
export const opsRoutes: FastifyPluginAsyncTypebox<{ ctx: HttpContext }> = async (app, { ctx }) => {
  app.get('/healthz', { schema: { hide: true } as object }, async () => ({ ok: true }));

  app.get('/readyz', { schema: { hide: true } as object }, async (_req, reply) => {
    const r = await ctx.ready();
    return reply.status(r.ok ? 200 : 503).send(r);
  });

  app.get('/metrics', { schema: { hide: true } as object }, async (_req, reply) => {
    reply.header('Content-Type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
};
