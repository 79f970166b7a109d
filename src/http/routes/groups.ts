import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { actor, requireAuth } from '../auth.js';
import type { HttpContext } from '../context.js';
import { Id, Ok, Page, errors, ref } from '../schemas.js';
import { GroupCard, GroupRequestView, GroupView, JoinPolicy, MemberView, PageQuery } from './social-schemas.js';

const Name = Type.String({ minLength: 1, maxLength: 64, pattern: '\\S' });
const Notice = Type.String({ maxLength: 2000 });
const Avatar = Type.Union([Id, Type.Null()], { description: 'A media id from POST /media' });
const UserIds = Type.Array(Id, { minItems: 1, maxItems: 100, uniqueItems: true });
const GroupParam = Type.Object({ id: Id });
const MemberParam = Type.Object({ id: Id, userId: Id });
const RequestParam = Type.Object({ id: Id, rid: Id });

/** Groups, members, roles and join requests (the groups rows of the v1 contract). */
export const groupRoutes: FastifyPluginAsyncTypebox<{ ctx: HttpContext }> = async (app, { ctx }) => {
  const { groups, accounts } = ctx.services;
  app.addHook('onRequest', requireAuth(accounts));
  const tags = ['groups'];

  app.post(
    '/groups',
    {
      schema: {
        tags,
        operationId: 'createGroup',
        summary: 'Create a group (I am its owner); optionally with friends as members',
        body: Type.Object(
          {
            name: Name,
            avatar: Type.Optional(Avatar),
            notice: Type.Optional(Notice),
            joinPolicy: Type.Optional(JoinPolicy),
            userIds: Type.Optional(UserIds),
          },
          { additionalProperties: false },
        ),
        response: { 201: ref(GroupView), ...errors(400, 401, 403, 404, 409, 415, 429) },
      },
    },
    async (req, reply) => reply.status(201).send(await groups.create(actor(req), req.body)),
  );

  app.get(
    '/groups',
    {
      schema: {
        tags,
        operationId: 'listMyGroups',
        summary: 'Groups I belong to',
        response: { 200: Page(ref(GroupView)), ...errors(401) },
      },
    },
    async (req) => groups.mine(actor(req)),
  );

  app.get(
    '/groups/search',
    {
      schema: {
        tags,
        operationId: 'searchGroups',
        summary: 'Find groups by exact id or exact name (any case)',
        querystring: Type.Object({ q: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
        response: { 200: Page(ref(GroupCard)), ...errors(400, 401) },
      },
    },
    async (req) => groups.search(actor(req), req.query.q),
  );

  app.get(
    '/groups/:id',
    {
      schema: {
        tags,
        operationId: 'getGroup',
        summary: 'A group: the full view for members, the public card for others who may know of it',
        params: GroupParam,
        response: { 200: Type.Union([ref(GroupView), ref(GroupCard)]), ...errors(400, 401, 404) },
      },
    },
    async (req) => groups.get(actor(req), req.params.id),
  );

  app.patch(
    '/groups/:id',
    {
      schema: {
        tags,
        operationId: 'updateGroup',
        summary: 'Rename (owner), or change avatar, notice or join policy (admins)',
        params: GroupParam,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            avatar: Type.Optional(Avatar),
            notice: Type.Optional(Notice),
            joinPolicy: Type.Optional(JoinPolicy),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: ref(GroupView), ...errors(400, 401, 403, 404, 415) },
      },
    },
    async (req) => groups.update(actor(req), req.params.id, req.body),
  );

  app.delete(
    '/groups/:id',
    {
      schema: {
        tags,
        operationId: 'dissolveGroup',
        summary: 'Dissolve the group (owner)',
        params: GroupParam,
        response: { 200: ref(Ok), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      await groups.dissolve(actor(req), req.params.id);
      return { ok: true as const };
    },
  );

  app.get(
    '/groups/:id/members',
    {
      schema: {
        tags,
        operationId: 'listGroupMembers',
        summary: 'Members in join order (members only)',
        params: GroupParam,
        querystring: Type.Composite([PageQuery], { additionalProperties: false }),
        response: { 200: Page(ref(MemberView)), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => groups.members(actor(req), req.params.id, req.query),
  );

  app.post(
    '/groups/:id/members',
    {
      schema: {
        tags,
        operationId: 'addGroupMembers',
        summary: 'Add friends to the group',
        params: GroupParam,
        body: Type.Object({ userIds: UserIds }, { additionalProperties: false }),
        response: {
          200: Type.Object({ added: Type.Array(Id), group: ref(GroupView) }),
          ...errors(400, 401, 403, 404, 409, 429),
        },
      },
    },
    async (req) => groups.addMembers(actor(req), req.params.id, req.body.userIds),
  );

  app.delete(
    '/groups/:id/members/:userId',
    {
      schema: {
        tags,
        operationId: 'removeGroupMember',
        summary: 'Remove a member (admins: plain members; owner: anyone)',
        params: MemberParam,
        response: { 200: ref(Ok), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      await groups.kick(actor(req), req.params.id, req.params.userId);
      return { ok: true as const };
    },
  );

  app.patch(
    '/groups/:id/members/:userId',
    {
      schema: {
        tags,
        operationId: 'updateGroupMember',
        summary: "Set a member's role (owner) or mute them until a time (admins); one field per call",
        params: MemberParam,
        body: Type.Object(
          {
            role: Type.Optional(Type.Union([Type.Literal('admin'), Type.Literal('member')])),
            mutedUntil: Type.Optional(
              Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'Epoch ms; null unmutes' }),
            ),
          },
          { additionalProperties: false, minProperties: 1, maxProperties: 1 },
        ),
        response: { 200: ref(MemberView), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => groups.setMember(actor(req), req.params.id, req.params.userId, req.body),
  );

  app.post(
    '/groups/:id/join',
    {
      schema: {
        tags,
        operationId: 'joinGroup',
        summary: 'Join an open group, or ask to join an approval group',
        params: GroupParam,
        body: Type.Optional(
          Type.Object({ message: Type.Optional(Type.String({ maxLength: 512 })) }, { additionalProperties: false }),
        ),
        response: {
          200: Type.Object({ status: Type.Literal('joined'), group: ref(GroupView) }),
          202: Type.Object({ status: Type.Literal('pending'), request: ref(GroupRequestView) }),
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    async (req, reply) => {
      const r = await groups.join(actor(req), req.params.id, req.body?.message);
      return reply.status(r.status === 'joined' ? 200 : 202).send(r);
    },
  );

  app.delete(
    '/groups/:id/join',
    {
      schema: {
        tags,
        operationId: 'withdrawJoinRequest',
        summary: 'Withdraw my pending join request (only its sender can)',
        params: GroupParam,
        response: { 200: ref(GroupRequestView), ...errors(400, 401, 404) },
      },
    },
    async (req) => groups.cancelJoin(actor(req), req.params.id),
  );

  app.post(
    '/groups/:id/leave',
    {
      schema: {
        tags,
        operationId: 'leaveGroup',
        summary: 'Leave the group (the owner transfers or dissolves instead)',
        params: GroupParam,
        response: { 200: ref(Ok), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => {
      await groups.leave(actor(req), req.params.id);
      return { ok: true as const };
    },
  );

  app.post(
    '/groups/:id/transfer',
    {
      schema: {
        tags,
        operationId: 'transferGroup',
        summary: 'Hand ownership to a member (owner); I become an admin',
        params: GroupParam,
        body: Type.Object({ userId: Id }, { additionalProperties: false }),
        response: { 200: ref(GroupView), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => groups.transfer(actor(req), req.params.id, req.body.userId),
  );

  app.get(
    '/groups/:id/requests',
    {
      schema: {
        tags,
        operationId: 'listJoinRequests',
        summary: 'Pending join requests, oldest first (admins)',
        params: GroupParam,
        querystring: Type.Composite([PageQuery], { additionalProperties: false }),
        response: { 200: Page(ref(GroupRequestView)), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => groups.requests(actor(req), req.params.id, req.query),
  );

  app.post(
    '/groups/:id/requests/:rid/accept',
    {
      schema: {
        tags,
        operationId: 'acceptJoinRequest',
        summary: 'Accept a join request (admins)',
        params: RequestParam,
        response: { 200: ref(GroupRequestView), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => groups.acceptRequest(actor(req), req.params.id, req.params.rid),
  );

  app.post(
    '/groups/:id/requests/:rid/decline',
    {
      schema: {
        tags,
        operationId: 'declineJoinRequest',
        summary: 'Decline a join request (admins)',
        params: RequestParam,
        response: { 200: ref(GroupRequestView), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => groups.declineRequest(actor(req), req.params.id, req.params.rid),
  );
};
