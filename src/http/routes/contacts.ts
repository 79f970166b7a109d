import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { actor, requireAuth } from '../auth.js';
import type { HttpContext } from '../context.js';
import { Id, Ok, Page, errors, ref } from '../schemas.js';
import { PageQuery, RequestStatus, UserBrief } from './social-schemas.js';

export const RequestView = Type.Object(
  {
    id: Id,
    from: ref(UserBrief),
    to: ref(UserBrief),
    message: Type.String(),
    status: RequestStatus,
    createdAt: Type.Number(),
    updatedAt: Type.Number(),
  },
  { $id: 'ContactRequest', description: 'A friend request' },
);
export const FriendView = Type.Composite(
  [
    UserBrief,
    Type.Object({
      remark: Type.String({ description: 'My private alias for them' }),
      online: Type.Boolean(),
      lastSeenAt: Type.Optional(
        Type.Union([Type.Number(), Type.Null()], {
          description: 'In friend lists: when last online, if they let me see it',
        }),
      ),
      since: Type.Number(),
      conversation: Type.String(),
    }),
  ],
  { $id: 'Friend', description: 'A friend, with my remark for them' },
);
export const BlockedView = Type.Composite([UserBrief, Type.Object({ blockedAt: Type.Number() })], {
  $id: 'Blocked',
  description: 'A user I blocked',
});
const Remark = Type.String({ maxLength: 64 });
const UserParam = Type.Object({ userId: Id });
const RequestParam = Type.Object({ id: Id });

/** Friend requests, friends and blocks (the contacts rows of the v1 contract). */
export const contactRoutes: FastifyPluginAsyncTypebox<{ ctx: HttpContext }> = async (app, { ctx }) => {
  const { contacts, accounts } = ctx.services;
  app.addHook('onRequest', requireAuth(accounts));
  const tags = ['contacts'];

  app.post(
    '/contacts/requests',
    {
      schema: {
        tags,
        operationId: 'sendContactRequest',
        summary: 'Send a friend request',
        body: Type.Object(
          { userId: Id, message: Type.Optional(Type.String({ maxLength: 512 })) },
          { additionalProperties: false },
        ),
        response: { 201: ref(RequestView), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    async (req, reply) => reply.status(201).send(await contacts.sendRequest(actor(req), req.body)),
  );

  app.get(
    '/contacts/requests',
    {
      schema: {
        tags,
        operationId: 'listContactRequests',
        summary: 'Pending requests sent to me (in, default) or by me (out), newest first',
        querystring: Type.Composite(
          [PageQuery, Type.Object({ direction: Type.Optional(Type.Union([Type.Literal('in'), Type.Literal('out')])) })],
          { additionalProperties: false },
        ),
        response: { 200: Page(ref(RequestView)), ...errors(400, 401) },
      },
    },
    async (req) => contacts.requests(actor(req), req.query.direction ?? 'in', req.query),
  );

  app.post(
    '/contacts/requests/:id/accept',
    {
      schema: {
        tags,
        operationId: 'acceptContactRequest',
        summary: 'Accept a request sent to me: both become friends',
        params: RequestParam,
        response: {
          200: Type.Object({ request: ref(RequestView), friend: ref(FriendView) }),
          ...errors(400, 401, 404),
        },
      },
    },
    async (req) => contacts.accept(actor(req), req.params.id),
  );

  app.post(
    '/contacts/requests/:id/decline',
    {
      schema: {
        tags,
        operationId: 'declineContactRequest',
        summary: 'Decline a request sent to me',
        params: RequestParam,
        response: { 200: ref(RequestView), ...errors(400, 401, 404) },
      },
    },
    async (req) => contacts.decline(actor(req), req.params.id),
  );

  app.delete(
    '/contacts/requests/:id',
    {
      schema: {
        tags,
        operationId: 'cancelContactRequest',
        summary: 'Cancel a request I sent',
        params: RequestParam,
        response: { 200: ref(RequestView), ...errors(400, 401, 404) },
      },
    },
    async (req) => contacts.cancel(actor(req), req.params.id),
  );

  app.get(
    '/contacts',
    {
      schema: {
        tags,
        operationId: 'listContacts',
        summary: 'My friends, oldest friendship first',
        querystring: Type.Composite([PageQuery], { additionalProperties: false }),
        response: { 200: Page(ref(FriendView)), ...errors(400, 401) },
      },
    },
    async (req) => contacts.friends(actor(req), req.query),
  );

  app.patch(
    '/contacts/:userId',
    {
      schema: {
        tags,
        operationId: 'setContactRemark',
        summary: 'Set the remark (alias) I see for a friend',
        params: UserParam,
        body: Type.Object({ remark: Remark }, { additionalProperties: false }),
        response: { 200: ref(FriendView), ...errors(400, 401, 403) },
      },
    },
    async (req) => contacts.setRemark(actor(req), req.params.userId, req.body.remark),
  );

  app.delete(
    '/contacts/:userId',
    {
      schema: {
        tags,
        operationId: 'removeContact',
        summary: 'Remove a friend (both sides)',
        params: UserParam,
        response: { 200: ref(Ok), ...errors(400, 401, 403) },
      },
    },
    async (req) => {
      await contacts.removeFriend(actor(req), req.params.userId);
      return { ok: true as const };
    },
  );

  app.get(
    '/blocks',
    {
      schema: {
        tags,
        operationId: 'listBlocks',
        summary: 'Users I blocked',
        querystring: Type.Composite([PageQuery], { additionalProperties: false }),
        response: { 200: Page(ref(BlockedView)), ...errors(400, 401) },
      },
    },
    async (req) => contacts.blocks(actor(req), req.query),
  );

  app.put(
    '/blocks/:userId',
    {
      schema: {
        tags,
        operationId: 'blockUser',
        summary: 'Block a user (idempotent)',
        params: UserParam,
        response: { 200: ref(Ok), ...errors(400, 401, 404) },
      },
    },
    async (req) => {
      await contacts.block(actor(req), req.params.userId);
      return { ok: true as const };
    },
  );

  app.delete(
    '/blocks/:userId',
    {
      schema: {
        tags,
        operationId: 'unblockUser',
        summary: 'Unblock a user (idempotent)',
        params: UserParam,
        response: { 200: ref(Ok), ...errors(400, 401) },
      },
    },
    async (req) => {
      await contacts.unblock(actor(req), req.params.userId);
      return { ok: true as const };
    },
  );
};
