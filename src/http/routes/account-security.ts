import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { actor, requireAuth } from '../auth.js';
import type { HttpContext } from '../context.js';
import { Ok, errors, ref } from '../schemas.js';

const CurrentPassword = Type.String({ minLength: 1, maxLength: 128 });

/** Account deletion, data export, two-factor sign-in and recovery (issue 17). */
export const accountSecurityRoutes: FastifyPluginAsyncTypebox<{ ctx: HttpContext }> = async (app, { ctx }) => {
  const { accounts, deletion } = ctx.services;
  const auth = requireAuth(accounts);

  app.post(
    '/me/delete',
    {
      onRequest: auth,
      schema: {
        tags: ['accounts'],
        operationId: 'deleteMe',
        summary: 'Delete my account (sessions end, profile erased; messages sent stay as from "Deleted account")',
        body: Type.Object({ password: CurrentPassword }, { additionalProperties: false }),
        response: { 200: ref(Ok), ...errors(400, 401, 429) },
      },
    },
    async (req) => {
      await deletion.deleteMe(actor(req), req.body.password);
      return { ok: true as const };
    },
  );
};
