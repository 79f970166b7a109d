import { expect } from 'vitest';
import { type MatrixEntry, V } from './matrix-types.js';

/** Last seen of a user: anyone signed in may ask; the user's setting decides what the answer shows. */
export const entries: MatrixEntry[] = [
  {
    route: 'GET /api/v1/users/:id/last-seen',
    setup: async (w) => {
      const [subject, friend, stranger, blocked] = await w.users(4, 'ls');
      await w.friends(subject!, friend!);
      await w.friends(subject!, blocked!);
      await w.block(subject!, blocked!);
      const hidden = (r: any) => expect(r).toEqual({ userId: subject!.user.id, lastSeenAt: null, online: null });
      return {
        path: `${V}/users/${subject!.user.id}/last-seen`,
        cases: [
          { who: 'unknown user', token: stranger!.token, path: `${V}/users/${'a'.repeat(26)}/last-seen`, expect: 404 },
          { who: 'stranger (setting: contacts)', token: stranger!.token, expect: 200, check: hidden },
          { who: 'blocked contact', token: blocked!.token, expect: 200, check: hidden },
          { who: 'contact', token: friend!.token, expect: 200, check: (r) => expect(r.online).toBe(false) },
          { who: 'self', token: subject!.token, expect: 200, check: (r) => expect(r.online).toBe(false) },
        ],
      };
    },
  },
];
