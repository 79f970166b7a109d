import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { FORWARD_TARGETS } from '../../services/forwarding.js';
import { actor, requireAuth } from '../auth.js';
import type { HttpContext } from '../context.js';
import { errors, ref } from '../schemas.js';
import { MessageAck } from './conversation-schemas.js';

const Cid = Type.String({ minLength: 1, maxLength: 80, description: '`dm:<userA>:<userB>` or `g:<groupId>`' });

export const ForwardResult = Type.Object(
  {
    to: Type.String(),
    ack: Type.Optional(ref(MessageAck)),
    error: Type.Optional(
      Type.Object({
        code: Type.String({ description: 'An error code of docs/protocol.md (NOT_FRIENDS, NOT_A_MEMBER, MUTED, …)' }),
        message: Type.String(),
        temporary: Type.Optional(Type.Literal(true)),
      }),
    ),
  },
  { $id: 'ForwardResult', description: 'One target of a forward: the ack of its copy, or why it was refused' },
);

/** Forwarding over REST (docs/protocol.md, "Forwarding"). */
export const forwardRoutes: FastifyPluginAsyncTypebox<{ ctx: HttpContext }> = async (app, { ctx }) => {
  const { messaging } = ctx.services;
  const auth = requireAuth(ctx.services.accounts);

  app.post(
    '/conversations/:cid/messages/:seq/forward',
    {
      onRequest: auth,
      schema: {
        tags: ['conversations'],
        operationId: 'forwardMessage',
        summary: 'Forward a message to other conversations (each target idempotent by its clientId)',
        params: Type.Object({ cid: Cid, seq: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }),
        body: Type.Object(
          {
            targets: Type.Array(
              Type.Object(
                { to: Cid, clientId: Type.String({ minLength: 1, maxLength: 64 }) },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: FORWARD_TARGETS },
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(ref(ForwardResult)) }),
          ...errors(400, 401, 403, 404, 409, 429),
        },
      },
    },
    async (req) => ({
      items: await messaging.forward(actor(req).userId, req.params.cid, req.params.seq, req.body.targets),
    }),
  );
};
