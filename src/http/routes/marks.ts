import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { actor, requireAuth } from '../auth.js';
import type { HttpContext } from '../context.js';
import { Page, errors, ref } from '../schemas.js';
import { MessageAck } from './conversation-schemas.js';
import { Emoji, PinnedMessage, Reactor } from './mark-schemas.js';

const Cid = Type.String({
  minLength: 1,
  maxLength: 80,
  description: '`dm:<userA>:<userB>` (ids sorted) or `g:<groupId>`',
});
const Seq = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The message' });
const ClientId = Type.String({ minLength: 1, maxLength: 64, description: 'Idempotency key (as for sends)' });
const Remove = Type.Optional(Type.Boolean({ description: 'true: take it back instead' }));

/**
 * Reactions and pins over REST: the same service calls as the `react` and `pin` frames. A
 * change answers 201 with the ack of its entry (a resend of the clientId: the original ack).
 */
export const markRoutes: FastifyPluginAsyncTypebox<{ ctx: HttpContext }> = async (app, { ctx }) => {
  const { marks } = ctx.services.messaging;
  const auth = requireAuth(ctx.services.accounts);

  app.post(
    '/conversations/:cid/messages/:seq/reactions',
    {
      onRequest: auth,
      schema: {
        tags: ['conversations'],
        operationId: 'reactToMessage',
        summary: 'Add (or with `remove` take back) my emoji reaction on a message',
        params: Type.Object({ cid: Cid, seq: Seq }),
        body: Type.Object({ clientId: ClientId, emoji: Emoji, remove: Remove }, { additionalProperties: false }),
        response: { 201: ref(MessageAck), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    async (req, reply) => {
      const { cid, seq } = req.params;
      const ack = await marks.react(actor(req).userId, { ...req.body, conversation: cid, seq });
      return reply.status(201).send(ack);
    },
  );

  app.get(
    '/conversations/:cid/messages/:seq/reactions',
    {
      onRequest: auth,
      schema: {
        tags: ['conversations'],
        operationId: 'listReactions',
        summary: 'Who reacted to a message (one emoji, or all), oldest first',
        params: Type.Object({ cid: Cid, seq: Seq }),
        querystring: Type.Object(
          {
            emoji: Type.Optional(Emoji),
            after: Type.Optional(Type.String({ maxLength: 200, description: 'The `next` of the previous page' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(ref(Reactor)), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => marks.reactors(actor(req).userId, req.params.cid, req.params.seq, req.query),
  );

  app.post(
    '/conversations/:cid/pins',
    {
      onRequest: auth,
      schema: {
        tags: ['conversations'],
        operationId: 'pinMessage',
        summary: 'Pin (or with `remove` unpin) a message: group owner/admins, or either person of a direct chat',
        params: Type.Object({ cid: Cid }),
        body: Type.Object({ clientId: ClientId, seq: Seq, remove: Remove }, { additionalProperties: false }),
        response: { 201: ref(MessageAck), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    async (req, reply) => {
      const ack = await marks.pin(actor(req).userId, { ...req.body, conversation: req.params.cid });
      return reply.status(201).send(ack);
    },
  );

  app.get(
    '/conversations/:cid/pins',
    {
      onRequest: auth,
      schema: {
        tags: ['conversations'],
        operationId: 'listPins',
        summary: 'The pinned messages of a conversation, latest pin first',
        params: Type.Object({ cid: Cid }),
        response: { 200: Page(ref(PinnedMessage)), ...errors(401, 403, 404) },
      },
    },
    async (req) => marks.pins(actor(req).userId, req.params.cid),
  );
};
