import type { FastifySchemaValidationError } from 'fastify/types/schema.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { fail } from '../../domain/errors.js';
import { MessageFields } from '../../protocol/frame-schemas.js';
import { actor, requireAuth } from '../auth.js';
import type { HttpContext } from '../context.js';
import { Page, errors, ref } from '../schemas.js';
import { ConversationSummary, Entry, MessageAck, ReadPosition } from './conversation-schemas.js';
import { markRoutes } from './marks.js';

const Cid = Type.String({
  minLength: 1,
  maxLength: 80,
  description: '`dm:<userA>:<userB>` (ids sorted) or `g:<groupId>`',
});
const Seq = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
// History cursors are seqs written as decimal strings: `next` of one page is passed back as
// `before` or `after` unchanged, so the query takes the same string type the reply gives.
const HistoryCursor = (description: string, least: 0 | 1) =>
  Type.String({ pattern: least === 1 ? '^(?=[0-9]*[1-9])[0-9]{1,15}$' : '^[0-9]{1,15}$', description });
const Params = Type.Object({ cid: Cid });

/** Fastify's own wording of a validation failure, for the failures this file does not recode. */
const plainValidationError = (errs: FastifySchemaValidationError[], dataVar: string) =>
  new Error(errs.map((e) => `${dataVar}${e.instancePath || ''} ${e.message}`).join(', '));

/** Conversations over REST: the same service calls as the WebSocket frames. */
export const conversationRoutes: FastifyPluginAsyncTypebox<{ ctx: HttpContext }> = async (app, { ctx }) => {
  const { messaging } = ctx.services;
  const auth = requireAuth(ctx.services.accounts);
  const { textLimit } = ctx.config;
  // Reactions and pins live under /conversations/:cid as well.
  await app.register(markRoutes, { ctx });

  app.get(
    '/conversations',
    {
      onRequest: auth,
      schema: {
        tags: ['conversations'],
        operationId: 'listConversations',
        summary: 'My conversations with last message, unread count and seqs',
        response: { 200: Page(ref(ConversationSummary)), ...errors(401) },
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
        operationId: 'listMessages',
        summary: 'Page through history (ascending items; `next` continues in the same direction)',
        params: Params,
        querystring: Type.Object(
          {
            before: Type.Optional(HistoryCursor('Entries before this seq (a `next` of a page read backwards)', 1)),
            after: Type.Optional(HistoryCursor('Entries after this seq (a `next` of a page read forwards)', 0)),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Page(ref(Entry), HistoryCursor('Pass it as `before` (or `after`) for the following page', 0)),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (req) => {
      const { before, after, limit } = req.query;
      return messaging.history(actor(req).userId, req.params.cid, {
        before: before === undefined ? undefined : Number(before),
        after: after === undefined ? undefined : Number(after),
        limit,
      });
    },
  );

  app.post(
    '/conversations/:cid/messages',
    {
      onRequest: auth,
      schema: {
        tags: ['conversations'],
        operationId: 'sendMessage',
        summary: 'Send a message (idempotent by clientId: a resend returns the original ack)',
        params: Params,
        // One definition for both transports: a REST send is a socket send without `type`/`to`,
        // with the text limit this server enforces (PARLEY_TEXT_LIMIT) in place of the frame's bound.
        body: Type.Object(
          {
            ...MessageFields,
            text: Type.Optional(Type.String({ maxLength: textLimit, description: `At most ${textLimit} characters` })),
          },
          { additionalProperties: false },
        ),
        response: { 201: ref(MessageAck), ...errors(400, 401, 403, 404, 413, 429) },
      },
      // An over-long text was refused by the service (413) before the schema knew the limit;
      // it still is, whichever of the two sees it first.
      schemaErrorFormatter: (errs, dataVar) =>
        errs.some((e) => e.keyword === 'maxLength' && e.instancePath === '/text')
          ? fail('PAYLOAD_TOO_LARGE', `text is longer than ${textLimit} characters`)
          : plainValidationError(errs, dataVar),
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
        operationId: 'markRead',
        summary: 'Move my read position forward (never back)',
        params: Params,
        body: Type.Object({ seq: Seq }, { additionalProperties: false }),
        response: { 200: ref(ReadPosition), ...errors(400, 401, 403, 404, 429) },
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
        operationId: 'updateConversation',
        summary: 'Mute or pin a conversation (for me)',
        params: Params,
        body: Type.Object(
          { muted: Type.Optional(Type.Boolean()), pinned: Type.Optional(Type.Boolean()) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: ref(ConversationSummary), ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (req) => messaging.updateConversation(actor(req).userId, req.params.cid, req.body),
  );
};
