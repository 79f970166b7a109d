import { expect } from 'vitest';
import { type MatrixEntry, V } from './matrix-types.js';

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
];
