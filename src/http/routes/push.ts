import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { actor, requireAuth } from '../auth.js';
import type { HttpContext } from '../context.js';
import { Id, Ok, Page, errors, ref } from '../schemas.js';

const B64url = (maxLength: number, description: string) =>
  Type.String({ minLength: 1, maxLength, pattern: '^[A-Za-z0-9_-]+={0,2}$', description });

export const PushSubscriptionView = Type.Object(
  {
    id: Id,
    service: Type.String({ description: 'Host of the push service the device uses' }),
    device: Type.String({ description: 'The device name of the session that subscribed' }),
    hideText: Type.Boolean({ description: 'Notifications to this device say only "New message"' }),
    current: Type.Boolean({ description: 'Made by the session asking' }),
    createdAt: Type.Number(),
    lastSentAt: Type.Union([Type.Number(), Type.Null()], { description: 'Last push the service accepted' }),
  },
  { $id: 'PushSubscription', description: 'A device that receives Web Push notifications' },
);

export const VapidKey = Type.Object(
  { publicKey: Type.String({ description: 'The applicationServerKey for pushManager.subscribe (base64url)' }) },
  { $id: 'VapidKey', description: "The server's VAPID public key" },
);

/** Web Push: the server's public key, and the signed-in session's push subscription. */
export const pushRoutes: FastifyPluginAsyncTypebox<{ ctx: HttpContext }> = async (app, { ctx }) => {
  const { accounts, push } = ctx.services;
  const auth = requireAuth(accounts);

  app.get(
    '/push/vapid-key',
    {
      onRequest: auth,
      schema: {
        tags: ['push'],
        operationId: 'getVapidKey',
        summary: 'The VAPID public key to subscribe with',
        response: { 200: ref(VapidKey), ...errors(401) },
      },
    },
    async () => ({ publicKey: push.publicKey }),
  );

  app.post(
    '/me/push-subscriptions',
    {
      onRequest: auth,
      schema: {
        tags: ['push'],
        operationId: 'subscribePush',
        summary: "Register this session's push subscription (replaces its previous one)",
        body: Type.Object(
          {
            endpoint: Type.String({ minLength: 8, maxLength: 2048, description: 'PushSubscription.endpoint (https)' }),
            expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()], { description: 'Ignored' })),
            keys: Type.Object(
              {
                p256dh: B64url(128, "The browser's P-256 public key"),
                auth: B64url(64, 'The 16-byte auth secret'),
              },
              { additionalProperties: false },
            ),
            hideText: Type.Optional(Type.Boolean({ description: 'Say only "New message" on this device' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: ref(PushSubscriptionView), ...errors(400, 401, 409) },
      },
    },
    async (req, reply) => {
      const { endpoint, keys, hideText } = req.body;
      return reply.status(201).send(await push.subscribe(actor(req), { endpoint, keys, hideText }));
    },
  );

  app.get(
    '/me/push-subscriptions',
    {
      onRequest: auth,
      schema: {
        tags: ['push'],
        operationId: 'listPushSubscriptions',
        summary: 'My devices that receive push notifications',
        response: { 200: Page(ref(PushSubscriptionView)), ...errors(401) },
      },
    },
    async (req) => ({ items: await push.list(actor(req)) }),
  );

  app.delete(
    '/me/push-subscriptions/:id',
    {
      onRequest: auth,
      schema: {
        tags: ['push'],
        operationId: 'deletePushSubscription',
        summary: 'Stop push notifications to one of my devices',
        params: Type.Object({ id: Id }),
        response: { 200: ref(Ok), ...errors(400, 401, 404) },
      },
    },
    async (req) => {
      await push.remove(actor(req), req.params.id);
      return { ok: true as const };
    },
  );
};
