import { expect } from 'vitest';
import { type MatrixEntry, type User, V, type World } from './matrix-types.js';

/** Authorization-matrix entries for "seen by" and forwarding. */
const dm = (a: User, b: User) =>
  a.user.id < b.user.id ? `dm:${a.user.id}:${b.user.id}` : `dm:${b.user.id}:${a.user.id}`;
let n = 0;
const secret = () => `secret-fwd-${Date.now().toString(36)}-${n++}`;

/** A group with a message by `member` that `admin` read. */
async function seenScene(w: World) {
  const g = await w.group('invite');
  const cid = `g:${g.id}`;
  const text = secret();
  const r = await w.api.post(
    `${V}/conversations/${cid}/messages`,
    { clientId: `s-${n++}`, kind: 'text', text },
    g.member.token,
  );
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const seq = r.body.seq as number;
  expect((await w.api.post(`${V}/conversations/${cid}/read`, { seq }, g.admin.token)).status).toBe(200);
  return { g, cid, seq, text };
}

export const entries: MatrixEntry[] = [
  {
    route: 'GET /api/v1/conversations/:cid/seen',
    setup: async (w) => {
      const { g, cid, seq, text } = await seenScene(w);
      return {
        path: `${V}/conversations/${cid}/seen?seqs=${seq}`,
        secrets: [text, g.admin.user.id],
        cases: [
          { who: 'group stranger', token: g.stranger.token, expect: 403, code: 'NOT_A_MEMBER' },
          {
            who: 'member, not the sender (left out)',
            token: g.owner.token,
            expect: 200,
            check: (b) => expect(b.items).toEqual([]),
          },
          {
            who: 'sender',
            token: g.member.token,
            expect: 200,
            check: (b) => expect(b.items).toEqual([{ seq, count: 1 }]),
          },
          {
            who: 'sender, malformed seqs',
            token: g.member.token,
            path: `${V}/conversations/${cid}/seen?seqs=1;2`,
            expect: 400,
            code: 'VALIDATION_FAILED',
          },
        ],
      };
    },
  },
  {
    route: 'GET /api/v1/conversations/:cid/messages/:seq/seen',
    setup: async (w) => {
      const { g, cid, seq, text } = await seenScene(w);
      return {
        path: `${V}/conversations/${cid}/messages/${seq}/seen`,
        secrets: [text, g.admin.user.id],
        cases: [
          { who: 'group stranger', token: g.stranger.token, expect: 403, code: 'NOT_A_MEMBER' },
          { who: 'member, not the sender', token: g.owner.token, expect: 403, code: 'FORBIDDEN' },
          {
            who: 'sender',
            token: g.member.token,
            expect: 200,
            check: (b) => expect(b).toMatchObject({ count: 1, items: [{ id: g.admin.user.id }] }),
          },
        ],
      };
    },
  },
  {
    route: 'POST /api/v1/conversations/:cid/messages/:seq/forward',
    setup: async (w) => {
      const [a, b, c, stranger] = await w.users(4, 'fw');
      await w.friends(a!, b!);
      await w.friends(a!, c!);
      const text = secret();
      const src = dm(a!, b!);
      const r = await w.api.post(
        `${V}/conversations/${src}/messages`,
        { clientId: `f-${n++}`, kind: 'text', text },
        a!.token,
      );
      expect(r.status).toBe(201);
      const to = dm(a!, c!);
      const body = (k: string) => ({ targets: [{ to, clientId: `fw-${k}-${n++}` }] });
      return {
        path: `${V}/conversations/${src}/messages/${r.body.seq}/forward`,
        body: body('x'),
        secrets: [text],
        cases: [
          {
            who: 'stranger (cannot read the source)',
            token: stranger!.token,
            body: body('s'),
            expect: 403,
            code: 'FORBIDDEN',
          },
          {
            who: 'friend forwarding into a chat that is not theirs',
            token: b!.token,
            body: body('b'),
            expect: 200,
            check: (x) => expect(x.items[0]).toMatchObject({ to, error: { code: 'FORBIDDEN' } }),
          },
          {
            who: 'too many targets',
            token: a!.token,
            body: { targets: Array.from({ length: 11 }, (_, i) => ({ to: `g:${i}`, clientId: `t${i}` })) },
            expect: 400,
            code: 'VALIDATION_FAILED',
          },
          {
            who: 'sender forwarding to another friend',
            token: a!.token,
            body: body('a'),
            expect: 200,
            check: (x) => expect(x.items[0]).toMatchObject({ to, ack: { conversation: to } }),
          },
        ],
      };
    },
  },
];
