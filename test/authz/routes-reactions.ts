/**
 * Authorization-matrix entries for reactions and pinned messages (run by matrix.test.ts, which
 * loads every `routes-*.ts`). The types are declared structurally, as the other entry files do.
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
  block(by: User, target: User): Promise<void>;
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
const clientId = () => `rp-${Date.now().toString(36)}-${n++}`;

async function say(w: W, u: User, cid: string, text = `secret-${clientId()}`) {
  const r = await w.api.post(
    `${V}/conversations/${cid}/messages`,
    { clientId: clientId(), kind: 'text', text },
    u.token,
  );
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { seq: r.body.seq as number, text };
}

/** A direct chat with one message (reacted to and pinned), a blocked pair, and a group with one message. */
async function scene(w: W) {
  const [a, b, stranger, x, y] = await w.users(5, 'rp');
  await w.friends(a!, b!);
  await w.friends(x!, y!);
  const cid = dm(a!, b!);
  const msg = await say(w, a!, cid);
  const blockedCid = dm(x!, y!);
  const blockedMsg = await say(w, x!, blockedCid);
  await w.block(y!, x!);
  const g = await w.group('invite');
  const gid = `g:${g.id}`;
  const gmsg = await say(w, g.member, gid);
  return { a: a!, b: b!, stranger: stranger!, x: x!, y: y!, cid, msg, blockedCid, blockedMsg, g, gid, gmsg };
}

export const entries: Entry[] = [
  {
    route: 'POST /api/v1/conversations/:cid/messages/:seq/reactions',
    setup: async (w) => {
      const t = await scene(w);
      const body = () => ({ clientId: clientId(), emoji: '👍' });
      const gpath = `${V}/conversations/${t.gid}/messages/${t.gmsg.seq}/reactions`;
      return {
        path: `${V}/conversations/${t.cid}/messages/${t.msg.seq}/reactions`,
        body: body(),
        secrets: [t.msg.text, t.gmsg.text],
        cases: [
          { who: 'stranger (dm)', token: t.stranger.token, body: body(), expect: 403, code: 'FORBIDDEN' },
          {
            who: 'blocked peer',
            token: t.x.token,
            path: `${V}/conversations/${t.blockedCid}/messages/${t.blockedMsg.seq}/reactions`,
            body: body(),
            expect: 403,
            code: 'BLOCKED',
          },
          {
            who: 'group stranger',
            token: t.g.stranger.token,
            path: gpath,
            body: body(),
            expect: 403,
            code: 'NOT_A_MEMBER',
          },
          {
            who: 'kicked member',
            token: t.g.kicked.token,
            path: gpath,
            body: body(),
            expect: 403,
            code: 'NOT_A_MEMBER',
          },
          {
            who: 'participant, not one emoji',
            token: t.b.token,
            body: { clientId: clientId(), emoji: 'ok' },
            expect: 400,
            code: 'VALIDATION_FAILED',
          },
          { who: 'participant', token: t.b.token, body: body(), expect: 201 },
          { who: 'group member', token: t.g.member.token, path: gpath, body: body(), expect: 201 },
        ],
      };
    },
  },
  {
    route: 'GET /api/v1/conversations/:cid/messages/:seq/reactions',
    setup: async (w) => {
      const t = await scene(w);
      const r = await w.api.post(
        `${V}/conversations/${t.gid}/messages/${t.gmsg.seq}/reactions`,
        { clientId: clientId(), emoji: '🎉' },
        t.g.admin.token,
      );
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      const gpath = `${V}/conversations/${t.gid}/messages/${t.gmsg.seq}/reactions`;
      return {
        path: gpath,
        secrets: [t.g.admin.user.id],
        cases: [
          { who: 'group stranger', token: t.g.stranger.token, expect: 403, code: 'NOT_A_MEMBER' },
          { who: 'kicked member', token: t.g.kicked.token, expect: 404, code: 'MESSAGE_NOT_FOUND' },
          {
            who: 'stranger (dm)',
            token: t.stranger.token,
            path: `${V}/conversations/${t.cid}/messages/${t.msg.seq}/reactions`,
            expect: 403,
            code: 'FORBIDDEN',
          },
          {
            who: 'group member',
            token: t.g.member.token,
            expect: 200,
            check: (b) => expect(b.items.map((i: any) => [i.user.id, i.emoji])).toEqual([[t.g.admin.user.id, '🎉']]),
          },
        ],
      };
    },
  },
  {
    route: 'POST /api/v1/conversations/:cid/pins',
    setup: async (w) => {
      const t = await scene(w);
      const body = (seq: number) => ({ clientId: clientId(), seq });
      const gpath = `${V}/conversations/${t.gid}/pins`;
      return {
        path: `${V}/conversations/${t.cid}/pins`,
        body: body(t.msg.seq),
        secrets: [t.msg.text, t.gmsg.text],
        cases: [
          { who: 'stranger (dm)', token: t.stranger.token, body: body(t.msg.seq), expect: 403, code: 'FORBIDDEN' },
          {
            who: 'blocked peer',
            token: t.x.token,
            path: `${V}/conversations/${t.blockedCid}/pins`,
            body: body(t.blockedMsg.seq),
            expect: 403,
            code: 'BLOCKED',
          },
          {
            who: 'group stranger',
            token: t.g.stranger.token,
            path: gpath,
            body: body(t.gmsg.seq),
            expect: 403,
            code: 'NOT_A_MEMBER',
          },
          {
            who: 'kicked member',
            token: t.g.kicked.token,
            path: gpath,
            body: body(t.gmsg.seq),
            expect: 403,
            code: 'NOT_A_MEMBER',
          },
          {
            who: 'plain member',
            token: t.g.member.token,
            path: gpath,
            body: body(t.gmsg.seq),
            expect: 403,
            code: 'ROLE_REQUIRED',
          },
          { who: 'group admin', token: t.g.admin.token, path: gpath, body: body(t.gmsg.seq), expect: 201 },
          { who: 'participant', token: t.b.token, body: body(t.msg.seq), expect: 201 },
        ],
      };
    },
  },
  {
    route: 'GET /api/v1/conversations/:cid/pins',
    setup: async (w) => {
      const t = await scene(w);
      const r = await w.api.post(
        `${V}/conversations/${t.gid}/pins`,
        { clientId: clientId(), seq: t.gmsg.seq },
        t.g.owner.token,
      );
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return {
        path: `${V}/conversations/${t.gid}/pins`,
        secrets: [t.gmsg.text],
        cases: [
          { who: 'group stranger', token: t.g.stranger.token, expect: 403, code: 'NOT_A_MEMBER' },
          {
            who: 'kicked member (sees no pin after leaving)',
            token: t.g.kicked.token,
            expect: 200,
            check: (b) => expect(b.items).toEqual([]),
          },
          {
            who: 'stranger (dm)',
            token: t.stranger.token,
            path: `${V}/conversations/${t.cid}/pins`,
            expect: 403,
            code: 'FORBIDDEN',
          },
          {
            who: 'group member',
            token: t.g.member.token,
            expect: 200,
            check: (b) => expect(b.items.map((p: any) => p.entry.text)).toEqual([t.gmsg.text]),
          },
        ],
      };
    },
  },
];
