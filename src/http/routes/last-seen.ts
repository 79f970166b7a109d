import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { actor, requireAuth } from '../auth.js';
import type { HttpContext } from '../context.js';
import { Id, errors, ref } from '../schemas.js';

export const LastSeenView = Type.Object(
  {
    userId: Id,
    lastSeenAt: Type.Union([Type.Number(), Type.Null()], {
      description: 'Epoch ms their last device went offline; null when hidden from me or unknown',
    }),
    online: Type.Union([Type.Boolean(), Type.Null()], { description: 'Online now; null when hidden from me' }),
  },
  { $id: 'LastSeen', description: 'When a user was last online, as far as their privacy setting lets me know' },
);

/** Last seen of one user, for the views that show presence (chat header, profile). */
export const lastSeenRoutes: FastifyPluginAsyncTypebox<{ ctx: HttpContext }> = async (app, { ctx }) => {
  const { lastSeen, accounts } = ctx.services;
  app.addHook('onRequest', requireAuth(accounts));

  app.get(
    '/users/:id/last-seen',
    {
      schema: {
        tags: ['accounts'],
        operationId: 'getLastSeen',
        summary: 'When a user was last online, if their setting lets me see it',
        params: Type.Object({ id: Id }),
        response: { 200: ref(LastSeenView), ...errors(400, 401, 404) },
      },
    },
    async (req) => lastSeen.of(actor(req), req.params.id),
  );
};
