import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { fail } from '../../domain/errors.js';
import { actor, requireAuth } from '../auth.js';
import type { HttpContext } from '../context.js';
import { Id, Page, PublicUser, errors, ref } from '../schemas.js';

const Cid = Type.String({ minLength: 1, maxLength: 80, description: '`dm:<userA>:<userB>` or `g:<groupId>`' });
const MessageSeq = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

export const SeenCount = Type.Object(
  { seq: Type.Integer(), count: Type.Integer({ description: 'Members who read it (the sender not counted)' }) },
  { $id: 'SeenCount', description: '"Seen by N" of one of my messages' },
);

export const SeenPage = Type.Object(
  {
    count: Type.Integer({ description: 'Members who saw the message in all' }),
    items: Type.Array(ref(PublicUser)),
    next: Type.Optional(Type.String({ description: 'Pass as `after` for the next page' })),
  },
  { $id: 'SeenPage', description: 'A page of the members who saw one of my messages, by user id' },
);

/** At most this many seqs in one `seen` count request. */
const MAX_SEQS = 100;

/** "Seen by" over REST (delivery positions come over the socket: the `received` frame). */
export const receiptRoutes: FastifyPluginAsyncTypebox<{ ctx: HttpContext }> = async (app, { ctx }) => {
  const { messaging } = ctx.services;
  const auth = requireAuth(ctx.services.accounts);

  app.get(
    '/conversations/:cid/seen',
    {
      onRequest: auth,
      schema: {
        tags: ['conversations'],
        operationId: 'seenCounts',
        summary: '"Seen by N" for my messages among the listed seqs (others are left out)',
        params: Type.Object({ cid: Cid }),
        querystring: Type.Object(
          {
            seqs: Type.String({
              pattern: '^[0-9]{1,15}(,[0-9]{1,15}){0,99}$',
              maxLength: 1700,
              description: `Comma-separated seqs, at most ${MAX_SEQS}`,
            }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(ref(SeenCount)), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const seqs = req.query.seqs.split(',').map(Number);
      if (seqs.length > MAX_SEQS) throw fail('VALIDATION_FAILED', `at most ${MAX_SEQS} seqs`);
      return { items: await messaging.receipts.seenCounts(actor(req).userId, req.params.cid, seqs) };
    },
  );

  app.get(
    '/conversations/:cid/messages/:seq/seen',
    {
      onRequest: auth,
      schema: {
        tags: ['conversations'],
        operationId: 'seenBy',
        summary: 'Who saw my message, paged by user id (the sender only)',
        params: Type.Object({ cid: Cid, seq: MessageSeq }),
        querystring: Type.Object(
          { after: Type.Optional(Id), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) },
          { additionalProperties: false },
        ),
        response: { 200: ref(SeenPage), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) =>
      messaging.receipts.seenBy(
        actor(req).userId,
        req.params.cid,
        req.params.seq,
        req.query.after,
        req.query.limit ?? 50,
      ),
  );
};
