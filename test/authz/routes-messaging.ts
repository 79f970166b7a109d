/**
 * Authorization-matrix entries for the conversation routes, in the shape of the matrix runner
 * on the `social` branch (test/authz/matrix-types.ts: `MatrixEntry`, run by matrix.test.ts).
 * The few types used are declared here structurally, so this file compiles on either branch;
 * the runner imports every `routes-*.ts` and reads `entries`.
 */
import { expect } from 'vitest';

type User = { user: { id: string }; token: string };
interface Api {
  post(path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }>;
}
interface Group {
  id: string;
  owner: User;
  admin: User;
  member: User;
  kicked: User;
  stranger: User;
}
interface W {
  api: Api;
  users(n: number, name?: string): Promise<User[]>;
  friends(a: User, b: User): Promise<void>;
  group(policy?: 'open' | 'approval' | 'invite'): Promise<Group>;
}
interface Case {
  who: string;
  token?: string;
  path?: string;
  body?: unknown;
  method?: string;
  expect: number;
  code?: string;
  check?: (body: any) => void | Promise<void>;
}
interface Entry {
  route: string;
  setup(w: W): Promise<{ path: string; body?: unknown; cases: Case[]; secrets?: string[] }>;
}

const V = '/api/v1';
const dm = (a: User, b: User) =>
  a.user.id < b.user.id ? `dm:${a.user.id}:${b.user.id}` : `dm:${b.user.id}:${a.user.id}`;
let n = 0;
const secret = () => `secret-text-${Date.now().toString(36)}-${n++}`;

/** Two friends with one message between them, and a stranger. */
async function chat(w: W) {
  const [a, b, stranger] = await w.users(3, 'cv');
  await w.friends(a!, b!);
  const text = secret();
  const cid = dm(a!, b!);
  const r = await w.api.post(
    `${V}/conversations/${cid}/messages`,
    { clientId: `m-${n++}`, kind: 'text', text },
    a!.token,
  );
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { a: a!, b: b!, stranger: stranger!, cid, text };
}

/** A group with one message before the kick of `kicked` and one after. */
async function groupChat(w: W) {
  const g = await w.group('invite');
  const cid = `g:${g.id}`;
  const text = secret();
  const r = await w.api.post(
    `${V}/conversations/${cid}/messages`,
    { clientId: `g-${n++}`, kind: 'text', text },
    g.member.token,
  );
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { g, cid, text };
}

export const entries: Entry[] = [
  {
    route: 'GET /api/v1/conversations',
    setup: async (w) => {
      const { a, stranger, cid, text } = await chat(w);
      return {
        path: `${V}/conversations`,
        cases: [
          {
            who: 'stranger',
            token: stranger.token,
            expect: 200,
            check: (r) => expect(JSON.stringify(r)).not.toContain(text),
          },
          {
            who: 'participant',
            token: a.token,
            expect: 200,
            check: (r) => expect(r.items.map((x: any) => x.id)).toContain(cid),
          },
        ],
      };
    },
  },
  {
    route: 'GET /api/v1/conversations/:cid/messages',
    setup: async (w) => {
      const { a, b, stranger, cid, text } = await chat(w);
      const grp = await groupChat(w);
      return {
        path: `${V}/conversations/${cid}/messages`,
        secrets: [text, grp.text],
        cases: [
          { who: 'stranger (dm)', token: stranger.token, expect: 403, code: 'FORBIDDEN' },
          {
            who: 'stranger (group)',
            token: stranger.token,
            path: `${V}/conversations/${grp.cid}/messages`,
            expect: 403,
            code: 'NOT_A_MEMBER',
          },
          {
            who: 'group stranger',
            token: grp.g.stranger.token,
            path: `${V}/conversations/${grp.cid}/messages`,
            expect: 403,
            code: 'NOT_A_MEMBER',
          },
          {
            who: 'malformed id',
            token: a.token,
            path: `${V}/conversations/dm:x:y/messages`,
            expect: 400,
            code: 'VALIDATION_FAILED',
          },
          {
            who: 'participant',
            token: b.token,
            expect: 200,
            check: (r) => expect(r.items.map((e: any) => e.text)).toEqual([text]),
          },
          {
            who: 'kicked member (sees nothing after leaving)',
            token: grp.g.kicked.token,
            path: `${V}/conversations/${grp.cid}/messages`,
            expect: 200,
            check: (r) => expect(JSON.stringify(r)).not.toContain(grp.text),
          },
          {
            who: 'group member',
            token: grp.g.admin.token,
            path: `${V}/conversations/${grp.cid}/messages`,
            expect: 200,
            check: (r) => expect(JSON.stringify(r)).toContain(grp.text),
          },
        ],
      };
    },
  },
  {
    route: 'POST /api/v1/conversations/:cid/messages',
    setup: async (w) => {
      const { a, b, stranger, cid } = await chat(w);
      const grp = await groupChat(w);
      const body = (k: string) => ({ clientId: `p-${k}-${n++}`, kind: 'text', text: 'hello' });
      return {
        path: `${V}/conversations/${cid}/messages`,
        body: body('x'),
        cases: [
          { who: 'stranger (into their dm)', token: stranger.token, body: body('s'), expect: 403, code: 'FORBIDDEN' },
          {
            who: 'non-friend (own dm)',
            token: stranger.token,
            path: `${V}/conversations/${dm(stranger, a)}/messages`,
            body: body('n'),
            expect: 403,
            code: 'NOT_FRIENDS',
          },
          {
            who: 'kicked member',
            token: grp.g.kicked.token,
            path: `${V}/conversations/${grp.cid}/messages`,
            body: body('k'),
            expect: 403,
            code: 'NOT_A_MEMBER',
          },
          {
            who: 'group stranger',
            token: grp.g.stranger.token,
            path: `${V}/conversations/${grp.cid}/messages`,
            body: body('g'),
            expect: 403,
            code: 'NOT_A_MEMBER',
          },
          {
            who: 'forged sender field',
            token: b.token,
            body: { ...body('f'), sender: a.user.id },
            expect: 400,
            code: 'VALIDATION_FAILED',
          },
          {
            who: 'friend',
            token: b.token,
            body: body('b'),
            expect: 201,
            check: (r) => expect(r.conversation).toBe(cid),
          },
          {
            who: 'group member',
            token: grp.g.owner.token,
            path: `${V}/conversations/${grp.cid}/messages`,
            body: body('o'),
            expect: 201,
          },
        ],
      };
    },
  },
  {
    route: 'POST /api/v1/conversations/:cid/read',
    setup: async (w) => {
      const { b, stranger, cid } = await chat(w);
      return {
        path: `${V}/conversations/${cid}/read`,
        body: { seq: 1 },
        cases: [
          { who: 'stranger', token: stranger.token, expect: 403, code: 'FORBIDDEN' },
          { who: 'participant', token: b.token, expect: 200, check: (r) => expect(r.readSeq).toBe(1) },
        ],
      };
    },
  },
  {
    route: 'PATCH /api/v1/conversations/:cid',
    setup: async (w) => {
      const { b, stranger, cid } = await chat(w);
      const grp = await groupChat(w);
      return {
        path: `${V}/conversations/${cid}`,
        body: { muted: true },
        cases: [
          { who: 'stranger', token: stranger.token, expect: 403, code: 'FORBIDDEN' },
          {
            who: 'group stranger',
            token: grp.g.stranger.token,
            path: `${V}/conversations/${grp.cid}`,
            expect: 403,
            code: 'NOT_A_MEMBER',
          },
          { who: 'participant', token: b.token, expect: 200, check: (r) => expect(r.muted).toBe(true) },
        ],
      };
    },
  },
];
