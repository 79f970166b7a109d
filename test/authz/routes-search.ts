import { expect } from 'vitest';
import { type MatrixEntry, V } from './matrix-types.js';

let n = 0;
/** A word no other scenario writes (letters only, so it is one search token). */
const word = () =>
  `zq${Date.now()
    .toString(36)
    .replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]!)}x${'abcdefghij'[n++ % 10]}`;

/** Search finds only what the caller may read: strangers and removed members get nothing. */
export const entries: MatrixEntry[] = [
  {
    route: 'GET /api/v1/search',
    setup: async (w) => {
      const g = await w.group('invite');
      const gid = `g:${g.id}`;
      const [a, b, stranger] = await w.users(3, 'sr');
      await w.friends(a!, b!);
      const dm = a!.user.id < b!.user.id ? `dm:${a!.user.id}:${b!.user.id}` : `dm:${b!.user.id}:${a!.user.id}`;
      const secret = word();
      for (const [cid, token] of [
        [gid, g.member.token],
        [dm, a!.token],
      ] as const) {
        const r = await w.api.post(
          `${V}/conversations/${cid}/messages`,
          { clientId: `s-${n++}`, kind: 'text', text: `the ${secret} plan` },
          token,
        );
        expect(r.status, JSON.stringify(r.body)).toBe(201);
      }
      const path = `${V}/search?q=${secret}`;
      const none = (r: any) => expect(r.items).toEqual([]);
      return {
        path,
        secrets: [secret],
        cases: [
          { who: 'stranger', token: stranger!.token, expect: 200, check: none },
          { who: 'kicked', token: g.kicked.token, expect: 200, check: none },
          {
            who: 'stranger (group)',
            token: stranger!.token,
            path: `${path}&conversation=${gid}`,
            expect: 403,
            code: 'NOT_A_MEMBER',
          },
          {
            who: 'stranger (dm)',
            token: stranger!.token,
            path: `${path}&conversation=${dm}`,
            expect: 403,
            code: 'FORBIDDEN',
          },
          {
            who: 'member',
            token: g.member.token,
            expect: 200,
            check: (r) => expect(r.items.map((h: any) => h.conversation)).toEqual([gid]),
          },
          {
            who: 'friend',
            token: b!.token,
            path: `${path}&conversation=${dm}`,
            expect: 200,
            check: (r) => expect(r.items.map((h: any) => h.conversation)).toEqual([dm]),
          },
          {
            who: 'member, query too short',
            token: g.member.token,
            path: `${V}/search?q=a`,
            expect: 400,
            code: 'QUERY_TOO_SHORT',
          },
        ],
      };
    },
  },
];
