import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { HttpContext } from '../context.js';
import { ErrorReply, errorResponse, ref } from '../schemas.js';

// Probe replies stay open (additional fields pass through) so a new check needs no schema change.
const Health = Type.Object({ ok: Type.Boolean() }, { additionalProperties: true });
const Readiness = Type.Object(
  {
    ok: Type.Boolean(),
    checks: Type.Object(
      {},
      {
        additionalProperties: Type.Object({ ok: Type.Boolean(), error: Type.Optional(Type.String()) }),
        description: 'One entry per dependency (store, bus)',
      },
    ),
  },
  { additionalProperties: true },
);

/** Liveness, readiness and Prometheus metrics, outside the API prefix. */
export const opsRoutes: FastifyPluginAsyncTypebox<{ ctx: HttpContext }> = async (app, { ctx }) => {
  const tags = ['ops'];
  app.get(
    '/healthz',
    {
      schema: {
        tags,
        operationId: 'health',
        summary: 'Liveness: the process answers',
        security: [],
        response: { 200: Health },
      },
    },
    async () => ({ ok: true }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags,
        operationId: 'ready',
        summary: 'Readiness: the database (and the bus, in a cluster) answer',
        security: [],
        response: {
          200: Readiness,
          // Not ready: the checks; while shutting down, the coded refusal every route gives.
          503: {
            ...errorResponse(503),
            content: { 'application/json': { schema: Type.Union([Readiness, ref(ErrorReply)]) } },
          },
        },
      },
    },
    async (_req, reply) => {
      const r = await ctx.ready();
      return reply.status(r.ok ? 200 : 503).send(r);
    },
  );

  app.get('/metrics', { schema: { hide: true } as object }, async (_req, reply) => {
    reply.header('Content-Type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
};
