import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { actor, requireAuth } from '../auth.js';
import type { HttpContext } from '../context.js';
import { Id, Page, errors, ref } from '../schemas.js';
import { GroupView, PageQuery } from './social-schemas.js';

export const Badges = Type.Object(
  {
    contactRequests: Type.Integer({ minimum: 0, description: 'Pending friend requests sent to me' }),
    joinRequests: Type.Integer({
      minimum: 0,
      description: 'Pending join requests to live groups I own or administer (not from users I blocked)',
    }),
  },
  { $id: 'Badges', additionalProperties: false },
);

/** Someone else's profile (mutual groups) and the counts behind the navigation badges. */
export const profileRoutes: FastifyPluginAsyncTypebox<{ ctx: HttpContext }> = async (app, { ctx }) => {
  const { profiles, accounts } = ctx.services;
  app.addHook('onRequest', requireAuth(accounts));

  app.get(
    '/users/:id/mutual-groups',
    {
      schema: {
        tags: ['accounts'],
        operationId: 'listMutualGroups',
        summary: 'Live groups both I and this user belong to, in the order I joined them',
        params: Type.Object({ id: Id }),
        querystring: Type.Composite([PageQuery], { additionalProperties: false }),
        response: { 200: Page(ref(GroupView)), ...errors(400, 401, 404) },
      },
    },
    async (req) => profiles.mutualGroups(actor(req), req.params.id, req.query),
  );

  app.get(
    '/me/badges',
    {
      schema: {
        tags: ['accounts'],
        operationId: 'getMyBadges',
        summary: 'Counts for the navigation badges: friend requests to me, join requests to groups I administer',
        response: { 200: ref(Badges), ...errors(401) },
      },
    },
    async (req) => profiles.badges(actor(req)),
  );
};
