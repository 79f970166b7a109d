import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { actor, requireAuth } from '../auth.js';
import type { HttpContext } from '../context.js';
import {
  AuthReply,
  Bio,
  Device,
  Gender,
  Id,
  LoginChallenge,
  Mobile,
  LastSeenPrivacy,
  Nickname,
  Ok,
  Page,
  Password,
  PrivateUser,
  PublicUser,
  Session,
  Username,
  errors,
  ref,
} from '../schemas.js';

const Avatar = Type.Union([Id, Type.Null()], { description: 'A media id from POST /media' });

/** Registration, login and the signed-in user's own account and sessions. */
export const accountRoutes: FastifyPluginAsyncTypebox<{ ctx: HttpContext }> = async (app, { ctx }) => {
  const { accounts } = ctx.services;
  const auth = requireAuth(accounts);

  app.post(
    '/auth/register',
    {
      schema: {
        tags: ['accounts'],
        security: [],
        operationId: 'register',
        summary: 'Create an account and a session',
        body: Type.Object(
          {
            username: Username,
            password: Password,
            nickname: Nickname,
            mobile: Type.Optional(Mobile),
            avatar: Type.Optional(Avatar),
            gender: Type.Optional(Gender),
            bio: Type.Optional(Bio),
            device: Type.Optional(Device),
          },
          { additionalProperties: false },
        ),
        response: { 201: ref(AuthReply), ...errors(400, 409, 429) },
      },
    },
    async (req, reply) => {
      const { user, token } = await accounts.register(
        { ...req.body, avatar: req.body.avatar ?? undefined },
        { ip: req.ip, device: req.body.device ?? req.headers['user-agent'] },
      );
      return reply.status(201).send({ user, token });
    },
  );

  app.post(
    '/auth/login',
    {
      schema: {
        tags: ['accounts'],
        security: [],
        operationId: 'login',
        summary: 'Log in by username or mobile',
        body: Type.Object(
          {
            login: Type.String({ minLength: 1, maxLength: 64 }),
            password: Type.String({ minLength: 1, maxLength: 128 }),
            device: Type.Optional(Device),
          },
          { additionalProperties: false },
        ),
        response: { 200: ref(AuthReply), 202: ref(LoginChallenge), ...errors(400, 401, 429) },
      },
    },
    async (req, reply) => {
      const r = await accounts.login(req.body.login, req.body.password, {
        ip: req.ip,
        device: req.body.device ?? req.headers['user-agent'],
      });
      // Two-factor accounts: no session yet; POST /auth/login/totp completes the sign-in.
      if ('challenge' in r) return reply.status(202).send({ twoFactor: 'totp' as const, ...r });
      return { user: r.user, token: r.token };
    },
  );

  app.post(
    '/auth/logout',
    {
      onRequest: auth,
      schema: {
        tags: ['accounts'],
        operationId: 'logout',
        summary: 'End this session (and close its sockets)',
        response: { 200: ref(Ok), ...errors(401) },
      },
    },
    async (req) => {
      await accounts.logout(actor(req));
      return { ok: true as const };
    },
  );

  app.get(
    '/me',
    {
      onRequest: auth,
      schema: {
        tags: ['accounts'],
        operationId: 'getMe',
        summary: 'My profile',
        response: { 200: ref(PrivateUser), ...errors(401) },
      },
    },
    async (req) => accounts.me(actor(req)),
  );

  app.get(
    '/me/limits',
    {
      onRequest: auth,
      schema: {
        tags: ['accounts'],
        operationId: 'getMyLimits',
        summary: 'The rules this server applies to my actions (so a client offers only what it allows)',
        response: {
          200: Type.Object({
            recallWindowMs: Type.Integer({
              description: 'How long after sending a message its sender may recall or edit it',
            }),
          }),
          ...errors(401),
        },
      },
    },
    async () => ({ recallWindowMs: ctx.config.recallWindow }),
  );

  app.patch(
    '/me',
    {
      onRequest: auth,
      schema: {
        tags: ['accounts'],
        operationId: 'updateMe',
        summary: 'Change my profile',
        body: Type.Object(
          {
            nickname: Type.Optional(Nickname),
            avatar: Type.Optional(Avatar),
            gender: Type.Optional(Gender),
            bio: Type.Optional(Bio),
            mobile: Type.Optional(Type.Union([Mobile, Type.Null()])),
            lastSeen: Type.Optional(LastSeenPrivacy),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: ref(PrivateUser), ...errors(400, 401, 409) },
      },
    },
    async (req) => accounts.updateMe(actor(req), req.body),
  );

  app.post(
    '/me/password',
    {
      onRequest: auth,
      schema: {
        tags: ['accounts'],
        operationId: 'changePassword',
        summary: 'Change my password; every other session ends',
        body: Type.Object(
          { current: Type.String({ minLength: 1, maxLength: 128 }), password: Password },
          { additionalProperties: false },
        ),
        response: { 200: ref(Ok), ...errors(400, 401) },
      },
    },
    async (req) => {
      await accounts.changePassword(actor(req), req.body.current, req.body.password);
      return { ok: true as const };
    },
  );

  app.get(
    '/me/sessions',
    {
      onRequest: auth,
      schema: {
        tags: ['accounts'],
        operationId: 'listSessions',
        summary: 'My live sessions',
        response: { 200: Page(ref(Session)), ...errors(401) },
      },
    },
    async (req) => ({ items: await accounts.sessions(actor(req)) }),
  );

  app.delete(
    '/me/sessions/:id',
    {
      onRequest: auth,
      schema: {
        tags: ['accounts'],
        operationId: 'endSession',
        summary: 'End one of my sessions',
        params: Type.Object({ id: Id }),
        response: { 200: ref(Ok), ...errors(400, 401, 404) },
      },
    },
    async (req) => {
      await accounts.revokeSession(actor(req), req.params.id);
      return { ok: true as const };
    },
  );

  app.get(
    '/users/:id',
    {
      onRequest: auth,
      schema: {
        tags: ['accounts'],
        operationId: 'getUser',
        summary: "A user's public profile",
        params: Type.Object({ id: Id }),
        response: { 200: ref(PublicUser), ...errors(400, 401, 404) },
      },
    },
    async (req) => accounts.user(req.params.id),
  );

  app.get(
    '/users',
    {
      onRequest: auth,
      schema: {
        tags: ['accounts'],
        operationId: 'findUsers',
        summary: 'Find a user by exact username or mobile',
        querystring: Type.Object({ q: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
        response: { 200: Page(ref(PublicUser)), ...errors(400, 401, 429) },
      },
    },
    async (req) => ({ items: await accounts.find(actor(req), req.query.q, { ip: req.ip }) }),
  );
};
