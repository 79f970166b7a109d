import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { MessageFields } from '../../protocol/frame-schemas.js';
import { actor, requireAuth } from '../auth.js';
import type { HttpContext } from '../context.js';
import { Page, errors } from '../schemas.js';

const Cid = Type.String({
  minLength: 1,
  maxLength: 80,
  description: '`dm:<userA>:<userB>` (ids sorted) or `g:<groupId>`',
});
const Seq = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const Entry = Type.Object(
  {
    id: Type.String(),
    conversation: Type.String(),
    seq: Type.Integer(),
    sender: Type.Union([Type.String(), Type.Null()]),
    kind: Type.String(),
    ts: Type.Number(),
  },
  { additionalProperties: true, description: 'A conversation entry (see docs/protocol.md)' },
);
const Summary = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('dm'), Type.Literal('group')]),
  maxSeq: Type.Integer(),
  minSeq: Type.Integer(),
  readSeq: Type.Integer(),
  unread: Type.Integer(),
  muted: Type.Boolean(),
  pinned: Type.Boolean(),
  lastMessage: Type.Optional(Entry),
  peer: Type.Optional(Type.String()),
  groupId: Type.Optional(Type.String()),
  peerReadSeq: Type.Optional(Type.Integer({ description: "direct chats: the other member's read position" })),
});
const Ack = Type.Object({
  clientId: Type.String(),
  conversation: Type.String(),
  seq: Type.Integer(),
  id: Type.String(),
  ts: Type.Number(),
});
const Params = Type.Object({ cid: Cid });

/** Conversations over REST: the same service calls as the WebSocket frames. */
export const conversationRoutes: FastifyPluginAsyncTypebox<{ ctx: HttpContext }> = async (app, { ctx }) => {
  const { messaging } = ctx.services;
  const auth = requireAuth(ctx.services.accounts);

  app.get(
    '/conversations',
    {
      onRequest: auth,
      schema: {
        tags: ['conversations'],
        summary: 'My conversations with last message, unread count and seqs',
        response: { 200: Page(Summary), ...errors(401) },
      },
    },
    async (req) => ({ items: await messaging.conversations(actor(req).userId) }),
  );

  app.get(
    '/conversations/:cid/messages',
    {
      onRequest: auth,
      schema: {
        tags: ['conversations'],
        summary: 'Page through history (ascending items; `next` continues in the same direction)',
        params: Params,
        querystring: Type.Object(
          {
            before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
            after: Type.Optional(Seq),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(Entry), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => messaging.history(actor(req).userId, req.params.cid, req.query),
  );

  app.post(
    '/conversations/:cid/messages',
    {
      onRequest: auth,
      schema: {
        tags: ['conversations'],
        summary: 'Send a message (idempotent by clientId: a resend returns the original ack)',
        params: Params,
        // One definition for both transports: a REST send is a socket send without `type`/`to`.
        body: Type.Object(MessageFields, { additionalProperties: false }),
        response: { 201: Ack, ...errors(400, 401, 403, 404, 413, 429) },
      },
    },
    async (req, reply) => {
      const started = performance.now();
      const ack = await messaging.send(actor(req).userId, { ...req.body, to: req.params.cid }, 'rest');
      ctx.metrics.sendAck.observe({ transport: 'rest' }, (performance.now() - started) / 1000);
      return reply.status(201).send(ack);
    },
  );

  app.post(
    '/conversations/:cid/read',
    {
      onRequest: auth,
      schema: {
        tags: ['conversations'],
        summary: 'Move my read position forward (never back)',
        params: Params,
        body: Type.Object({ seq: Seq }, { additionalProperties: false }),
        response: {
          200: Type.Object({ conversation: Type.String(), readSeq: Type.Integer() }),
          ...errors(400, 401, 403, 404, 429),
        },
      },
    },
    async (req) => messaging.markRead(actor(req).userId, req.params.cid, req.body.seq),
  );

  app.patch(
    '/conversations/:cid',
    {
      onRequest: auth,
      schema: {
        tags: ['conversations'],
        summary: 'Mute or pin a conversation (for me)',
        params: Params,
        body: Type.Object(
          { muted: Type.Optional(Type.Boolean()), pinned: Type.Optional(Type.Boolean()) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Summary, ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (req) => messaging.updateConversation(actor(req).userId, req.params.cid, req.body),
  );
};
