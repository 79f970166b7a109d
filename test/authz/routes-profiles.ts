import { expect } from 'vitest';
import { type MatrixEntry, V } from './matrix-types.js';

/**
 * Profiles and badges: mutual groups list only groups the caller is in too (a kicked member and a
 * stranger see none of the group), and badges count only the caller's own inbox.
 */
export const entries: MatrixEntry[] = [
  {
    route: 'GET /api/v1/users/:id/mutual-groups',
    setup: async (w) => {
      const g = await w.group('invite');
      return {
        path: `${V}/users/${g.member.user.id}/mutual-groups`,
        cases: [
          {
            who: 'stranger',
            token: g.stranger.token,
            expect: 200,
            check: (r) => expect(JSON.stringify(r)).not.toContain(g.id),
          },
          {
            who: 'kicked member',
            token: g.kicked.token,
            expect: 200,
            check: (r) => expect(JSON.stringify(r)).not.toContain(g.notice),
          },
          {
            who: 'the user themself',
            token: g.member.token,
            expect: 400,
            code: 'CANNOT_TARGET_SELF',
          },
          {
            who: 'co-member',
            token: g.admin.token,
            expect: 200,
            check: (r) => expect(r.items.map((x: { id: string }) => x.id)).toEqual([g.id]),
          },
        ],
      };
    },
  },
  {
    route: 'GET /api/v1/me/badges',
    setup: async (w) => {
      const g = await w.group('approval');
      const [asker, friendly] = await w.users(2);
      await w.joinRequest(g.id, asker!);
      await w.request(friendly!, g.admin);
      return {
        path: `${V}/me/badges`,
        cases: [
          {
            who: 'plain member',
            token: g.member.token,
            expect: 200,
            check: (r) => expect(r).toEqual({ contactRequests: 0, joinRequests: 0 }),
          },
          {
            who: 'admin with a friend request',
            token: g.admin.token,
            expect: 200,
            check: (r) => expect(r).toEqual({ contactRequests: 1, joinRequests: 1 }),
          },
          {
            who: 'owner',
            token: g.owner.token,
            expect: 200,
            check: (r) => expect(r).toEqual({ contactRequests: 0, joinRequests: 1 }),
          },
        ],
      };
    },
  },
];
