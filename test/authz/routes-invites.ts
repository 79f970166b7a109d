import { expect } from 'vitest';
import { type Case, type GroupFixture, type MatrixEntry, V, type World } from './matrix-types.js';

/**
 * Group invite links. Managing them is for admins: a plain member is `ROLE_REQUIRED`, a stranger
 * or kicked member of the (invite-only) fixture does not see the group (404). Previewing and
 * joining need only the code; a code never appears in a refused reply.
 */
const nonAdmins = (g: GroupFixture): Case[] => [
  { who: 'stranger', token: g.stranger.token, expect: 404, code: 'GROUP_NOT_FOUND' },
  { who: 'kicked member', token: g.kicked.token, expect: 404, code: 'GROUP_NOT_FOUND' },
  { who: 'member', token: g.member.token, expect: 403, code: 'ROLE_REQUIRED' },
];

async function invite(w: World, g: GroupFixture, body: Record<string, unknown> = {}) {
  const r = await w.api.post(`${V}/groups/${g.id}/invites`, body, g.owner.token);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { code: string; invite: { id: string } };
}

export const entries: MatrixEntry[] = [
  {
    route: 'POST /api/v1/groups/:id/invites',
    setup: async (w) => {
      const g = await w.group();
      return {
        path: `${V}/groups/${g.id}/invites`,
        body: { maxUses: 3 },
        secrets: [g.notice],
        cases: [
          ...nonAdmins(g),
          { who: 'admin', token: g.admin.token, expect: 201, check: (r) => expect(r.code).toBeTypeOf('string') },
          { who: 'owner', token: g.owner.token, expect: 201 },
        ],
      };
    },
  },
  {
    route: 'GET /api/v1/groups/:id/invites',
    setup: async (w) => {
      const g = await w.group();
      const { code, invite: i } = await invite(w, g);
      return {
        path: `${V}/groups/${g.id}/invites`,
        secrets: [g.notice, code, i.id],
        cases: [
          ...nonAdmins(g),
          {
            who: 'admin',
            token: g.admin.token,
            expect: 200,
            check: (r) => {
              expect(r.items.map((x: any) => x.id)).toEqual([i.id]);
              expect(JSON.stringify(r)).not.toContain(code);
            },
          },
        ],
      };
    },
  },
  {
    route: 'DELETE /api/v1/groups/:id/invites/:inviteId',
    setup: async (w) => {
      const g = await w.group();
      const other = await w.group();
      const { code, invite: i } = await invite(w, g);
      const { invite: j } = await invite(w, other);
      return {
        path: `${V}/groups/${g.id}/invites/${i.id}`,
        secrets: [g.notice, code],
        cases: [
          ...nonAdmins(g),
          {
            who: 'admin naming another group’s link',
            token: g.admin.token,
            path: `${V}/groups/${g.id}/invites/${j.id}`,
            expect: 404,
            code: 'INVITE_NOT_FOUND',
          },
          { who: 'admin', token: g.admin.token, expect: 200, check: (r) => expect(r.status).toBe('revoked') },
        ],
      };
    },
  },
  {
    route: 'POST /api/v1/invites/preview',
    setup: async (w) => {
      const g = await w.group();
      const { code } = await invite(w, g);
      const dead = await invite(w, g);
      await w.api.delete(`${V}/groups/${g.id}/invites/${dead.invite.id}`, g.owner.token);
      return {
        path: `${V}/invites/preview`,
        body: { code },
        secrets: [code, dead.code],
        cases: [
          {
            who: 'stranger with a wrong code',
            token: g.stranger.token,
            body: { code: `${code.slice(0, -2)}zz` },
            expect: 404,
            code: 'INVITE_NOT_FOUND',
          },
          {
            who: 'stranger with a revoked code',
            token: g.stranger.token,
            body: { code: dead.code },
            expect: 410,
            code: 'INVITE_REVOKED',
          },
          {
            who: 'stranger with the code',
            token: g.stranger.token,
            expect: 200,
            check: (r) => expect(r).toMatchObject({ group: { id: g.id }, member: false }),
          },
          { who: 'member', token: g.member.token, expect: 200, check: (r) => expect(r.member).toBe(true) },
        ],
      };
    },
  },
  {
    route: 'POST /api/v1/invites/join',
    setup: async (w) => {
      const g = await w.group();
      const { code } = await invite(w, g);
      const used = await invite(w, g, { maxUses: 1 });
      const first = await w.user();
      expect((await w.api.post(`${V}/invites/join`, { code: used.code }, first.token)).status).toBe(200);
      return {
        path: `${V}/invites/join`,
        body: { code },
        secrets: [code, used.code],
        cases: [
          {
            who: 'stranger with a wrong code',
            token: g.stranger.token,
            body: { code: `${code.slice(0, -2)}zz` },
            expect: 404,
            code: 'INVITE_NOT_FOUND',
          },
          {
            who: 'stranger with a used-up code',
            token: g.stranger.token,
            body: { code: used.code },
            expect: 410,
            code: 'INVITE_USED_UP',
          },
          { who: 'member', token: g.member.token, expect: 409, code: 'ALREADY_MEMBER' },
          { who: 'stranger with the code', token: g.stranger.token, expect: 200 },
          { who: 'kicked member with the code', token: g.kicked.token, expect: 200 },
        ],
      };
    },
  },
];
