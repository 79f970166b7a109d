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
  const { accounts, deletion, exports, twoFactor, recovery } = ctx.services;
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
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .header('cache-control', 'no-store')
        .send(stream);
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
};
