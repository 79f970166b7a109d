import { expect } from 'vitest';
import { type MatrixEntry, V } from './matrix-types.js';

/** Accounts: everything but registration and login acts on the caller's own account only. */
export const entries: MatrixEntry[] = [
  {
    route: 'POST /api/v1/auth/register',
    public: true,
    setup: async () => ({
      path: `${V}/auth/register`,
      cases: [
        {
          who: 'anyone',
          expect: 201,
          body: { username: `m${Date.now().toString(36)}x`, password: 'long enough pw', nickname: 'm' },
        },
      ],
    }),
  },
  {
    route: 'POST /api/v1/auth/login',
    public: true,
    setup: async (w) => {
      const u = await w.user('login');
      return {
        path: `${V}/auth/login`,
        cases: [
          {
            who: 'wrong password',
            expect: 401,
            code: 'INVALID_CREDENTIALS',
            body: { login: u.username, password: 'not the password' },
          },
          { who: 'the user', expect: 200, body: { login: u.username, password: u.password } },
        ],
      };
    },
  },
  {
    route: 'POST /api/v1/auth/logout',
    setup: async (w) => {
      const u = await w.user();
      return {
        path: `${V}/auth/logout`,
        cases: [
          { who: 'the user', token: u.token, expect: 200 },
          { who: 'the user, logged out', token: u.token, expect: 401 },
        ],
      };
    },
  },
  {
    route: 'GET /api/v1/me',
    setup: async (w) => {
      const u = await w.user();
      return {
        path: `${V}/me`,
        cases: [{ who: 'the user', token: u.token, expect: 200, check: (b) => expect(b.id).toBe(u.user.id) }],
      };
    },
  },
  {
    route: 'GET /api/v1/me/limits',
    setup: async (w) => {
      const u = await w.user();
      return {
        path: `${V}/me/limits`,
        cases: [
          { who: 'the user', token: u.token, expect: 200, check: (b) => expect(b.recallWindowMs).toBeGreaterThan(0) },
        ],
      };
    },
  },
  {
    route: 'PATCH /api/v1/me',
    setup: async (w) => {
      const u = await w.user();
      return {
        path: `${V}/me`,
        body: { bio: 'changed' },
        cases: [{ who: 'the user', token: u.token, expect: 200, check: (b) => expect(b.id).toBe(u.user.id) }],
      };
    },
  },
  {
    route: 'POST /api/v1/me/password',
    setup: async (w) => {
      const u = await w.user();
      return {
        path: `${V}/me/password`,
        cases: [
          {
            who: 'holder of the token without the password',
            token: u.token,
            expect: 401,
            body: { current: 'guessed wrong', password: 'new password 1' },
          },
          { who: 'the user', token: u.token, expect: 200, body: { current: u.password, password: 'new password 1' } },
        ],
      };
    },
  },
  {
    route: 'GET /api/v1/me/sessions',
    setup: async (w) => {
      const [u, other] = await w.users(2);
      return {
        path: `${V}/me/sessions`,
        cases: [{ who: 'the user', token: u!.token, expect: 200, check: (b) => expect(b.items).toHaveLength(1) }],
        secrets: [other!.user.id],
      };
    },
  },
  {
    route: 'DELETE /api/v1/me/sessions/:id',
    setup: async (w) => {
      const [u, stranger] = await w.users(2);
      const id = (await w.api.get(`${V}/me/sessions`, u!.token)).body.items[0].id;
      return {
        path: `${V}/me/sessions/${id}`,
        cases: [
          { who: 'stranger', token: stranger!.token, expect: 404 },
          { who: 'the user', token: u!.token, expect: 200 },
        ],
      };
    },
  },
  {
    route: 'GET /api/v1/users/:id',
    setup: async (w) => {
      const [u, viewer] = await w.users(2);
      return {
        path: `${V}/users/${u!.user.id}`,
        cases: [
          { who: 'unknown id', token: viewer!.token, path: `${V}/users/${'0'.repeat(26)}`, expect: 404 },
          {
            who: 'any user',
            token: viewer!.token,
            expect: 200,
            check: (b) =>
              expect(Object.keys(b).sort()).toEqual(['avatar', 'bio', 'gender', 'id', 'nickname', 'username']),
          },
        ],
      };
    },
  },
  {
    route: 'GET /api/v1/users',
    setup: async (w) => {
      const [u, viewer] = await w.users(2);
      return {
        path: `${V}/users?q=${u!.username}`,
        cases: [
          { who: 'missing query', token: viewer!.token, path: `${V}/users`, expect: 400 },
          {
            who: 'any user',
            token: viewer!.token,
            expect: 200,
            check: (b) => expect(b.items.map((x: any) => x.id)).toEqual([u!.user.id]),
          },
          {
            who: 'prefix search',
            token: viewer!.token,
            path: `${V}/users?q=${u!.username.slice(0, 4)}`,
            expect: 200,
            check: (b) => expect(b.items).toEqual([]),
          },
        ],
      };
    },
  },
];
