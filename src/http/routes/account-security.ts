import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { actor, requireAuth } from '../auth.js';
import type { HttpContext } from '../context.js';
import { AuthReply, Device, Ok, Password, errors, ref } from '../schemas.js';

const CurrentPassword = Type.String({ minLength: 1, maxLength: 128 });
const Code = Type.String({
  minLength: 6,
  maxLength: 32,
  description: 'A 6-digit TOTP code, or a recovery code (abcd-efgh-jkmn-pqrs)',
});

/** Account deletion, data export, two-factor sign-in and recovery (issue 17). */
export const accountSecurityRoutes: FastifyPluginAsyncTypebox<{ ctx: HttpContext }> = async (app, { ctx }) => {
  const { accounts, deletion, exports, twoFactor, recovery, email } = ctx.services;
  const auth = requireAuth(accounts);

  app.post(
    '/me/delete',
    {
      onRequest: auth,
      schema: {
        tags: ['accounts'],
        operationId: 'deleteMe',
        summary: 'Delete my account (sessions end, profile erased; messages sent stay as from "Deleted account")',
        body: Type.Object({ password: CurrentPassword }, { additionalProperties: false }),
        response: { 200: ref(Ok), ...errors(400, 401, 429) },
      },
    },
    async (req) => {
      await deletion.deleteMe(actor(req), req.body.password);
      return { ok: true as const };
    },
  );

  app.get(
    '/me/export',
    {
      onRequest: auth,
      schema: {
        tags: ['accounts'],
        operationId: 'exportMe',
        summary: 'Download my data: one ZIP of my profile, contacts, groups, the messages I sent and my uploads',
        description:
          'Streamed as it is written. One export per user every ten minutes and one at a time (429 RATE_LIMITED ' +
          'with Retry-After). Authenticated by the bearer header only: a browser fetches it and saves the Blob.',
        response: {
          200: {
            description: 'The archive (application/zip)',
            content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } },
          },
          ...errors(401, 429),
        },
      },
    },
    async (req, reply) => {
      const { filename, stream } = await exports.open(actor(req));
      return (
        reply
          .header('content-type', 'application/zip')
          .header('content-disposition', `attachment; filename="${filename}"`)
          .header('cache-control', 'no-store')
          // The 200 body is bytes from a stream; the typed reply only knows JSON shapes.
          .send(stream as unknown as string)
      );
    },
  );

  app.get(
    '/me/2fa',
    {
      onRequest: auth,
      schema: {
        tags: ['accounts'],
        operationId: 'getTwoFactor',
        summary: 'Whether two-factor sign-in is on, and how many recovery codes are left',
        response: {
          200: Type.Object({ totp: Type.Boolean(), recoveryCodesLeft: Type.Integer() }),
          ...errors(401),
        },
      },
    },
    async (req) => twoFactor.status(actor(req)),
  );

  app.post(
    '/me/2fa/totp',
    {
      onRequest: auth,
      schema: {
        tags: ['accounts'],
        operationId: 'startTotp',
        summary: 'Start TOTP enrolment: a new secret, its otpauth:// URI and a QR code (on only once confirmed)',
        body: Type.Object({ password: CurrentPassword }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            secret: Type.String({ description: 'Base32, for typing in by hand' }),
            uri: Type.String({ description: 'otpauth://totp/... (what the QR code holds)' }),
            qr: Type.String({ description: 'The QR code as an SVG data URL' }),
          }),
          ...errors(400, 401, 409, 429),
        },
      },
    },
    async (req) => twoFactor.startEnrolment(actor(req), req.body.password),
  );

  app.post(
    '/me/2fa/totp/confirm',
    {
      onRequest: auth,
      schema: {
        tags: ['accounts'],
        operationId: 'confirmTotp',
        summary: 'Turn TOTP on with a current code; answers the 10 single-use recovery codes (shown once)',
        body: Type.Object({ code: Type.String({ pattern: '^[0-9]{6}$' }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ recoveryCodes: Type.Array(Type.String()) }),
          ...errors(400, 401, 409, 429),
        },
      },
    },
    async (req) => twoFactor.confirm(actor(req), req.body.code),
  );

  app.post(
    '/me/2fa/totp/disable',
    {
      onRequest: auth,
      schema: {
        tags: ['accounts'],
        operationId: 'disableTotp',
        summary: 'Turn TOTP off (password and a code or recovery code); the recovery codes go too',
        body: Type.Object({ password: CurrentPassword, code: Code }, { additionalProperties: false }),
        response: { 200: ref(Ok), ...errors(400, 401, 409, 429) },
      },
    },
    async (req) => {
      await twoFactor.disable(actor(req), req.body.password, req.body.code);
      return { ok: true as const };
    },
  );

  app.post(
    '/auth/login/totp',
    {
      schema: {
        tags: ['accounts'],
        security: [],
        operationId: 'loginTotp',
        summary: 'Second sign-in step: the challenge from a 202 login plus a TOTP or recovery code',
        body: Type.Object(
          { challenge: Type.String({ minLength: 1, maxLength: 64 }), code: Code, device: Type.Optional(Device) },
          { additionalProperties: false },
        ),
        response: { 200: ref(AuthReply), ...errors(400, 401, 403, 429) },
      },
    },
    async (req) => {
      const { user, token } = await twoFactor.completeLogin(req.body.challenge, req.body.code, {
        ip: req.ip,
        device: req.body.device ?? req.headers['user-agent'],
      });
      return { user, token };
    },
  );

  app.post(
    '/auth/reset',
    {
      schema: {
        tags: ['accounts'],
        security: [],
        operationId: 'resetPassword',
        summary: 'Set a new password with a one-time reset code (from an operator or a reset e-mail); all sessions end',
        body: Type.Object(
          { code: Type.String({ minLength: 1, maxLength: 64 }), password: Password },
          { additionalProperties: false },
        ),
        response: { 200: ref(Ok), ...errors(400, 401, 429) },
      },
    },
    async (req) => {
      await recovery.redeemReset(req.body.code, req.body.password, { ip: req.ip });
      return { ok: true as const };
    },
  );

  const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' });
  const EmailState = Type.Object({
    email: Type.Union([Type.String(), Type.Null()]),
    verified: Type.Boolean(),
  });

  app.get(
    '/me/email',
    {
      onRequest: auth,
      schema: {
        tags: ['accounts'],
        operationId: 'getMyEmail',
        summary: 'My recovery e-mail address and whether it is verified',
        response: { 200: EmailState, ...errors(401) },
      },
    },
    async (req) => email.get(actor(req)),
  );

  app.put(
    '/me/email',
    {
      onRequest: auth,
      schema: {
        tags: ['accounts'],
        operationId: 'setMyEmail',
        summary: 'Set my recovery e-mail address; a verification link is mailed to it',
        body: Type.Object({ email: Email }, { additionalProperties: false }),
        response: { 200: ref(Ok), ...errors(400, 401, 429, 501) },
      },
    },
    async (req) => {
      await email.set(actor(req), req.body.email);
      return { ok: true as const };
    },
  );

  app.post(
    '/auth/verify-email',
    {
      schema: {
        tags: ['accounts'],
        security: [],
        operationId: 'verifyEmail',
        summary: 'Verify an e-mail address with the code of its link (/#/verify-email/<code>)',
        body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
        response: { 200: ref(Ok), ...errors(400, 401) },
      },
    },
    async (req) => {
      await email.verify(req.body.code);
      return { ok: true as const };
    },
  );

  app.post(
    '/auth/reset/email',
    {
      schema: {
        tags: ['accounts'],
        security: [],
        operationId: 'requestResetEmail',
        summary: 'Mail a reset link to a verified address (the same answer whether or not any account has it)',
        body: Type.Object({ email: Email }, { additionalProperties: false }),
        response: { 202: ref(Ok), ...errors(400, 429, 501) },
      },
    },
    async (req, reply) => {
      await email.requestReset(req.body.email, { ip: req.ip });
      return reply.status(202).send({ ok: true as const });
    },
  );
};
