import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { actor, requireAuth } from '../auth.js';
import type { HttpContext } from '../context.js';
import { Id, Page, errors, ref } from '../schemas.js';
import { GroupCard, GroupRequestView, GroupView, PageQuery } from './social-schemas.js';

export const InviteView = Type.Object(
  {
    id: Id,
    groupId: Id,
    createdBy: Id,
    createdAt: Type.Number(),
    expiresAt: Type.Union([Type.Number(), Type.Null()], { description: 'Epoch ms; null: never' }),
    maxUses: Type.Union([Type.Integer(), Type.Null()], { description: 'null: unlimited' }),
    uses: Type.Integer({ description: 'Joins and join requests made through the link' }),
    revokedAt: Type.Union([Type.Number(), Type.Null()]),
    status: Type.Union([
      Type.Literal('active'),
      Type.Literal('revoked'),
      Type.Literal('expired'),
      Type.Literal('used_up'),
    ]),
  },
  { $id: 'Invite', description: 'A group invite link as its admins see it (never its code)' },
);

export const InvitePreview = Type.Object(
  {
    group: Type.Composite([
      GroupCard,
      Type.Object({ notice: Type.String({ description: 'Its first 200 characters' }) }),
    ]),
    member: Type.Boolean({ description: 'I am a member already' }),
    expiresAt: Type.Union([Type.Number(), Type.Null()]),
  },
  { $id: 'InvitePreview', description: 'What the holder of an invite code sees before joining' },
);

/** The code, in a body (never a path or query, which access logs keep). */
const CodeBody = Type.Object(
  { code: Type.String({ minLength: 16, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'The invite code' }) },
  { additionalProperties: false },
);
const GroupParam = Type.Object({ id: Id });

/** Group invite links: admins manage them under the group; holders preview and join by code. */
export const inviteRoutes: FastifyPluginAsyncTypebox<{ ctx: HttpContext }> = async (app, { ctx }) => {
  const { invites, accounts } = ctx.services;
  app.addHook('onRequest', requireAuth(accounts));
  const tags = ['groups'];

  app.post(
    '/groups/:id/invites',
    {
      schema: {
        tags,
        operationId: 'createGroupInvite',
        summary: 'Create an invite link (admins); the reply is the only time its code is shown',
        params: GroupParam,
        body: Type.Object(
          {
            expiresInSeconds: Type.Optional(
              Type.Integer({ minimum: 60, maximum: 31_536_000, description: 'From now; absent: never expires' }),
            ),
            maxUses: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'Absent: unlimited' })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            invite: ref(InviteView),
            code: Type.String({ description: 'The secret of the link `/#/invite/<code>`; not kept by the server' }),
          }),
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    async (req, reply) => reply.status(201).send(await invites.create(actor(req), req.params.id, req.body ?? {})),
  );

  app.get(
    '/groups/:id/invites',
    {
      schema: {
        tags,
        operationId: 'listGroupInvites',
        summary: 'The group’s invite links, newest first (admins)',
        params: GroupParam,
        querystring: PageQuery,
        response: { 200: Page(ref(InviteView)), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => invites.list(actor(req), req.params.id, req.query),
  );

  app.delete(
    '/groups/:id/invites/:inviteId',
    {
      schema: {
        tags,
        operationId: 'revokeGroupInvite',
        summary: 'Revoke an invite link (admins); idempotent',
        params: Type.Object({ id: Id, inviteId: Id }),
        response: { 200: ref(InviteView), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => invites.revoke(actor(req), req.params.id, req.params.inviteId),
  );

  app.post(
    '/invites/preview',
    {
      schema: {
        tags,
        operationId: 'previewInvite',
        summary: 'The group an invite code leads to (metered per user and address)',
        body: CodeBody,
        response: { 200: ref(InvitePreview), ...errors(400, 401, 404, 410, 429) },
      },
    },
    async (req) => invites.preview(actor(req), req.body.code, req.ip),
  );

  app.post(
    '/invites/join',
    {
      schema: {
        tags,
        operationId: 'joinByInvite',
        summary: 'Join the group of an invite code, or ask to join it when it takes requests',
        body: CodeBody,
        response: {
          200: Type.Object({ status: Type.Literal('joined'), group: ref(GroupView) }),
          202: Type.Object({ status: Type.Literal('pending'), request: ref(GroupRequestView) }),
          ...errors(400, 401, 403, 404, 409, 410, 429),
        },
      },
    },
    async (req, reply) => {
      const r = await invites.join(actor(req), req.body.code, req.ip);
      return reply.status(r.status === 'joined' ? 200 : 202).send(r);
    },
  );
};
