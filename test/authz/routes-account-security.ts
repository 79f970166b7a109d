import { Secret, TOTP } from 'otpauth';
import { expect } from 'vitest';
import { type MatrixEntry, type User, V, type World } from './matrix-types.js';

const codeNow = (secret: string) => new TOTP({ secret: Secret.fromBase32(secret) }).generate();

/** A user with TOTP on; returns the user and their recovery codes. */
async function withTotp(w: World): Promise<{ u: User; secret: string; recovery: string[] }> {
  const u = await w.user('tfa');
  const start = await w.api.post(`${V}/me/2fa/totp`, { password: u.password }, u.token);
  const ok = await w.api.post(`${V}/me/2fa/totp/confirm`, { code: codeNow(start.body.secret) }, u.token);
  expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  return { u, secret: start.body.secret, recovery: ok.body.recoveryCodes };
}

/** Account security: each route acts on the caller's own account, proven by a session (and a secret). */
export const entries: MatrixEntry[] = [
  {
    route: 'POST /api/v1/me/delete',
    setup: async (w) => {
      const [u, other] = await w.users(2, 'del');
      return {
        path: `${V}/me/delete`,
        body: { password: u!.password },
        cases: [
          // Another user's password with their own session deletes nothing of theirs (nor of u).
          {
            who: 'another user, wrong password',
            token: other!.token,
            body: { password: 'not the password' },
            expect: 401,
            code: 'INVALID_CREDENTIALS',
          },
          { who: 'the user', token: u!.token, expect: 200, check: (b) => expect(b).toEqual({ ok: true }) },
          { who: 'the user, deleted', token: u!.token, expect: 401 },
        ],
      };
    },
  },
  {
    route: 'GET /api/v1/me/export',
    setup: async (w) => {
      const u = await w.user('exp');
      return {
        path: `${V}/me/export`,
        // The archive is the caller's own: there is no way to name another user's.
        cases: [{ who: 'the user', token: u.token, expect: 200 }],
      };
    },
  },
  {
    route: 'GET /api/v1/me/2fa',
    setup: async (w) => {
      const u = await w.user('tfa');
      return {
        path: `${V}/me/2fa`,
        cases: [{ who: 'the user', token: u.token, expect: 200, check: (b) => expect(b.totp).toBe(false) }],
      };
    },
  },
  {
    route: 'POST /api/v1/me/2fa/totp',
    setup: async (w) => {
      const [u, other] = await w.users(2, 'tfa');
      return {
        path: `${V}/me/2fa/totp`,
        body: { password: u!.password },
        cases: [
          {
            who: 'another user, wrong password',
            token: other!.token,
            body: { password: 'not the password' },
            expect: 401,
            code: 'INVALID_CREDENTIALS',
          },
          { who: 'the user', token: u!.token, expect: 200 },
        ],
      };
    },
  },
  {
    route: 'POST /api/v1/me/2fa/totp/confirm',
    setup: async (w) => {
      const [idle, u] = await w.users(2, 'tfa');
      const start = await w.api.post(`${V}/me/2fa/totp`, { password: u!.password }, u!.token);
      return {
        path: `${V}/me/2fa/totp/confirm`,
        body: { code: codeNow(start.body.secret) },
        cases: [
          { who: 'another user, nothing pending', token: idle!.token, expect: 409, code: 'TOTP_NOT_PENDING' },
          { who: 'the user', token: u!.token, expect: 200 },
        ],
      };
    },
  },
  {
    route: 'POST /api/v1/me/2fa/totp/disable',
    setup: async (w) => {
      const idle = await w.user('tfa');
      const { u, recovery } = await withTotp(w);
      return {
        path: `${V}/me/2fa/totp/disable`,
        body: { password: u.password, code: recovery[0] },
        cases: [
          // The same password and code from another session do nothing to this account.
          { who: 'another user, not enabled', token: idle.token, expect: 409, code: 'TOTP_NOT_ENABLED' },
          { who: 'the user', token: u.token, expect: 200 },
        ],
      };
    },
  },
  {
    route: 'POST /api/v1/auth/login/totp',
    public: true,
    setup: async (w) => {
      const { u, recovery } = await withTotp(w);
      const login = await w.api.post(`${V}/auth/login`, { login: u.username, password: u.password });
      expect(login.status).toBe(202);
      return {
        path: `${V}/auth/login/totp`,
        cases: [
          {
            who: 'anyone, made-up challenge',
            body: { challenge: 'made-up-challenge', code: recovery[0] },
            expect: 401,
            code: 'INVALID_CODE',
          },
          { who: 'the user', body: { challenge: login.body.challenge, code: recovery[0] }, expect: 200 },
        ],
      };
    },
  },
  {
    route: 'POST /api/v1/auth/reset',
    public: true,
    setup: async (w) => {
      const u = await w.user('rst');
      const { code } = await w.s.app.services.recovery.issueReset(u.username);
      return {
        path: `${V}/auth/reset`,
        cases: [
          {
            who: 'anyone, made-up code',
            body: { code: 'aaaa-bbbb-cccc-dddd', password: 'a new long password' },
            expect: 401,
            code: 'INVALID_CODE',
          },
          { who: 'the holder of the code', body: { code, password: 'a new long password' }, expect: 200 },
        ],
      };
    },
  },
  // The matrix server has no SMTP: the e-mail routes answer 501 there (test/account/email-reset.test.ts
  // runs them against a local SMTP server); reading one's own state works everywhere.
  {
    route: 'GET /api/v1/me/email',
    setup: async (w) => {
      const u = await w.user('eml');
      return {
        path: `${V}/me/email`,
        cases: [{ who: 'the user', token: u.token, expect: 200, check: (b) => expect(b.email).toBeNull() }],
      };
    },
  },
  {
    route: 'PUT /api/v1/me/email',
    setup: async (w) => {
      const u = await w.user('eml');
      return {
        path: `${V}/me/email`,
        cases: [
          {
            who: 'the user, no SMTP',
            token: u.token,
            body: { email: 'someone@example.test' },
            expect: 501,
            code: 'MAIL_NOT_CONFIGURED',
          },
          { who: 'the user, reading it back', method: 'GET', token: u.token, expect: 200 },
        ],
      };
    },
  },
  {
    route: 'POST /api/v1/auth/verify-email',
    public: true,
    setup: async () => ({
      path: `${V}/auth/verify-email`,
      cases: [
        { who: 'anyone, made-up code', body: { code: 'made-up-code' }, expect: 401, code: 'INVALID_CODE' },
        { who: 'anyone, the API docs', method: 'GET', path: `${V}/docs/json`, expect: 200 },
      ],
    }),
  },
  {
    route: 'POST /api/v1/auth/reset/email',
    public: true,
    setup: async () => ({
      path: `${V}/auth/reset/email`,
      cases: [
        {
          who: 'anyone, no SMTP',
          body: { email: 'someone@example.test' },
          expect: 501,
          code: 'MAIL_NOT_CONFIGURED',
        },
        { who: 'anyone, the API docs', method: 'GET', path: `${V}/docs/json`, expect: 200 },
      ],
    }),
  },
];
