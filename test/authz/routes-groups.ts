import { expect } from 'vitest';
import { type Case, type GroupFixture, type MatrixEntry, V } from './matrix-types.js';

/**
 * Groups. The fixture is invite-only unless said otherwise: such a group does not exist for a
 * stranger or a kicked member (404); a visible (open/approval) group answers them 403.
 */
const outsiders = (
  g: GroupFixture,
  status = 404,
  code = status === 404 ? 'GROUP_NOT_FOUND' : 'NOT_A_MEMBER',
): Case[] => [
  { who: 'stranger', token: g.stranger.token, expect: status, code },
  { who: 'kicked member', token: g.kicked.token, expect: status, code },
];
const role = (who: string, token: string): Case => ({ who, token, expect: 403, code: 'ROLE_REQUIRED' });

export const entries: MatrixEntry[] = [
  {
    route: 'POST /api/v1/groups',
    setup: async (w) => {
      const [me, friend, stranger, blocker] = await w.users(4);
      await w.friends(me!, friend!);
      await w.friends(me!, blocker!);
      await w.block(blocker!, me!);
      return {
        path: `${V}/groups`,
        cases: [
          {
            who: 'adding a stranger',
            token: me!.token,
            body: { name: 'g', userIds: [stranger!.user.id] },
            expect: 403,
            code: 'NOT_FRIENDS',
          },
          {
            who: 'adding a friend who blocked me',
            token: me!.token,
            body: { name: 'g', userIds: [blocker!.user.id] },
            expect: 403,
            code: 'NOT_FRIENDS',
          },
          {
            who: 'creator with a friend',
            token: me!.token,
            body: { name: 'g', userIds: [friend!.user.id] },
            expect: 201,
          },
        ],
      };
    },
  },
  {
    route: 'GET /api/v1/groups',
    setup: async (w) => {
      const g = await w.group();
      const hasIt = (yes: boolean) => (r: any) => expect(r.items.some((x: any) => x.id === g.id)).toBe(yes);
      return {
        path: `${V}/groups`,
        cases: [
          { who: 'stranger', token: g.stranger.token, expect: 200, check: hasIt(false) },
          { who: 'kicked member', token: g.kicked.token, expect: 200, check: hasIt(false) },
          { who: 'member', token: g.member.token, expect: 200, check: hasIt(true) },
        ],
      };
    },
  },
  {
    route: 'GET /api/v1/groups/search',
    setup: async (w) => {
      const g = await w.group();
      return {
        path: `${V}/groups/search?q=${g.id}`,
        cases: [
          { who: 'stranger', token: g.stranger.token, expect: 200, check: (r) => expect(r.items).toEqual([]) },
          { who: 'kicked member', token: g.kicked.token, expect: 200, check: (r) => expect(r.items).toEqual([]) },
          {
            who: 'member',
            token: g.member.token,
            expect: 200,
            check: (r) => expect(r.items.map((x: any) => x.id)).toEqual([g.id]),
          },
        ],
      };
    },
  },
  {
    route: 'GET /api/v1/groups/:id',
    setup: async (w) => {
      const g = await w.group();
      const open = await w.group('open');
      return {
        path: `${V}/groups/${g.id}`,
        secrets: [g.notice, open.notice],
        cases: [
          ...outsiders(g),
          {
            who: 'stranger (open group): public card only',
            token: open.stranger.token,
            path: `${V}/groups/${open.id}`,
            expect: 200,
            check: (r) => expect(JSON.stringify(r)).not.toContain(open.notice),
          },
          { who: 'member', token: g.member.token, expect: 200, check: (r) => expect(r.notice).toBe(g.notice) },
        ],
      };
    },
  },
  {
    route: 'PATCH /api/v1/groups/:id',
    setup: async (w) => {
      const g = await w.group();
      return {
        path: `${V}/groups/${g.id}`,
        body: { name: 'renamed' },
        secrets: [g.notice],
        cases: [
          ...outsiders(g),
          role('member', g.member.token),
          { ...role('admin renaming', g.admin.token) },
          {
            who: 'member changing the notice',
            token: g.member.token,
            body: { notice: 'x' },
            expect: 403,
            code: 'ROLE_REQUIRED',
          },
          { who: 'admin changing the notice', token: g.admin.token, body: { notice: 'new notice' }, expect: 200 },
          { who: 'owner', token: g.owner.token, expect: 200, check: (r) => expect(r.name).toBe('renamed') },
        ],
      };
    },
  },
  {
    route: 'DELETE /api/v1/groups/:id',
    setup: async (w) => {
      const g = await w.group();
      return {
        path: `${V}/groups/${g.id}`,
        secrets: [g.notice],
        cases: [
          ...outsiders(g),
          role('member', g.member.token),
          role('admin', g.admin.token),
          { who: 'owner', token: g.owner.token, expect: 200 },
        ],
      };
    },
  },
  {
    route: 'GET /api/v1/groups/:id/members',
    setup: async (w) => {
      const g = await w.group();
      const open = await w.group('open');
      return {
        path: `${V}/groups/${g.id}/members`,
        secrets: [g.member.user.id, open.member.user.id],
        cases: [
          ...outsiders(g),
          ...outsiders(open, 403).map((c) => ({
            ...c,
            who: `${c.who} (open group)`,
            path: `${V}/groups/${open.id}/members`,
          })),
          { who: 'member', token: g.member.token, expect: 200, check: (r) => expect(r.items).toHaveLength(3) },
        ],
      };
    },
  },
  {
    route: 'POST /api/v1/groups/:id/members',
    setup: async (w) => {
      const g = await w.group('approval');
      const [friend, blocker, nobody] = await w.users(3);
      for (const u of [g.member, g.kicked, g.stranger]) await w.friends(u, friend!);
      await w.friends(g.admin, friend!);
      await w.friends(g.admin, blocker!);
      await w.block(blocker!, g.admin);
      return {
        path: `${V}/groups/${g.id}/members`,
        body: { userIds: [friend!.user.id] },
        secrets: [g.notice],
        cases: [
          ...outsiders(g, 403),
          role('member (approval group)', g.member.token),
          {
            who: 'admin adding a stranger',
            token: g.admin.token,
            body: { userIds: [nobody!.user.id] },
            expect: 403,
            code: 'NOT_FRIENDS',
          },
          {
            who: 'admin adding a friend who blocked them',
            token: g.admin.token,
            body: { userIds: [blocker!.user.id] },
            expect: 403,
            code: 'NOT_FRIENDS',
          },
          {
            who: 'admin adding a friend',
            token: g.admin.token,
            expect: 200,
            check: (r) => expect(r.added).toEqual([friend!.user.id]),
          },
        ],
      };
    },
  },
  {
    route: 'DELETE /api/v1/groups/:id/members/:userId',
    setup: async (w) => {
      const g = await w.group();
      return {
        path: `${V}/groups/${g.id}/members/${g.member.user.id}`,
        secrets: [g.notice],
        cases: [
          ...outsiders(g),
          role('member', g.member.token),
          {
            who: 'admin kicking the owner',
            token: g.admin.token,
            path: `${V}/groups/${g.id}/members/${g.owner.user.id}`,
            expect: 403,
            code: 'ROLE_REQUIRED',
          },
          { who: 'admin', token: g.admin.token, expect: 200 },
        ],
      };
    },
  },
  {
    route: 'PATCH /api/v1/groups/:id/members/:userId',
    setup: async (w) => {
      const g = await w.group();
      return {
        path: `${V}/groups/${g.id}/members/${g.member.user.id}`,
        body: { role: 'admin' },
        secrets: [g.notice],
        cases: [
          ...outsiders(g),
          role('member', g.member.token),
          role('admin promoting', g.admin.token),
          {
            who: 'member muting',
            token: g.member.token,
            body: { mutedUntil: Date.now() + 60_000 },
            expect: 403,
            code: 'ROLE_REQUIRED',
          },
          { who: 'admin muting', token: g.admin.token, body: { mutedUntil: Date.now() + 60_000 }, expect: 200 },
          { who: 'owner', token: g.owner.token, expect: 200, check: (r) => expect(r.role).toBe('admin') },
        ],
      };
    },
  },
  {
    route: 'POST /api/v1/groups/:id/join',
    setup: async (w) => {
      const g = await w.group();
      const open = await w.group('open');
      return {
        path: `${V}/groups/${g.id}/join`,
        secrets: [g.notice],
        cases: [
          ...outsiders(g),
          { who: 'member', token: g.member.token, expect: 409, code: 'ALREADY_MEMBER' },
          {
            who: 'stranger (open group)',
            token: open.stranger.token,
            path: `${V}/groups/${open.id}/join`,
            expect: 200,
          },
        ],
      };
    },
  },
  {
    route: 'DELETE /api/v1/groups/:id/join',
    setup: async (w) => {
      const g = await w.group('approval');
      const hidden = await w.group();
      const asker = await w.user();
      const rid = await w.joinRequest(g.id, asker);
      return {
        path: `${V}/groups/${g.id}/join`,
        secrets: [g.notice, hidden.notice, rid],
        cases: [
          // Only the requester can withdraw a request: for everyone else there is none to withdraw.
          ...outsiders(g, 404, 'REQUEST_NOT_FOUND'),
          { who: 'member', token: g.member.token, expect: 404, code: 'REQUEST_NOT_FOUND' },
          { who: 'admin', token: g.admin.token, expect: 404, code: 'REQUEST_NOT_FOUND' },
          { who: 'owner', token: g.owner.token, expect: 404, code: 'REQUEST_NOT_FOUND' },
          ...outsiders(hidden).map((c) => ({
            ...c,
            who: `${c.who} (invite-only group)`,
            path: `${V}/groups/${hidden.id}/join`,
          })),
          {
            who: 'the asker',
            token: asker.token,
            expect: 200,
            check: (r) => expect(r).toMatchObject({ id: rid, status: 'canceled' }),
          },
          { who: 'the asker again', token: asker.token, expect: 404, code: 'REQUEST_NOT_FOUND' },
        ],
      };
    },
  },
  {
    route: 'POST /api/v1/groups/:id/leave',
    setup: async (w) => {
      const g = await w.group();
      return {
        path: `${V}/groups/${g.id}/leave`,
        secrets: [g.notice],
        cases: [
          ...outsiders(g),
          { who: 'owner', token: g.owner.token, expect: 409, code: 'OWNER_CANNOT_LEAVE' },
          { who: 'member', token: g.member.token, expect: 200 },
        ],
      };
    },
  },
  {
    route: 'POST /api/v1/groups/:id/transfer',
    setup: async (w) => {
      const g = await w.group();
      return {
        path: `${V}/groups/${g.id}/transfer`,
        body: { userId: g.member.user.id },
        secrets: [g.notice],
        cases: [
          ...outsiders(g),
          role('member', g.member.token),
          role('admin', g.admin.token),
          { who: 'owner', token: g.owner.token, expect: 200 },
        ],
      };
    },
  },
  {
    route: 'GET /api/v1/groups/:id/requests',
    setup: async (w) => {
      const g = await w.group('approval');
      const asker = await w.user();
      await w.joinRequest(g.id, asker);
      return {
        path: `${V}/groups/${g.id}/requests`,
        secrets: [asker.user.id],
        cases: [
          ...outsiders(g, 403),
          { who: 'the asker', token: asker.token, expect: 403, code: 'NOT_A_MEMBER' },
          role('member', g.member.token),
          {
            who: 'admin',
            token: g.admin.token,
            expect: 200,
            check: (r) => expect(r.items.map((x: any) => x.user.id)).toEqual([asker.user.id]),
          },
        ],
      };
    },
  },
  ...(['accept', 'decline'] as const).map(
    (verb): MatrixEntry => ({
      route: `POST /api/v1/groups/:id/requests/:rid/${verb}`,
      setup: async (w) => {
        const g = await w.group('approval');
        const asker = await w.user();
        const rid = await w.joinRequest(g.id, asker);
        return {
          path: `${V}/groups/${g.id}/requests/${rid}/${verb}`,
          secrets: [g.notice],
          cases: [
            ...outsiders(g, 403),
            { who: 'the asker', token: asker.token, expect: 403, code: 'NOT_A_MEMBER' },
            role('member', g.member.token),
            {
              who: 'admin',
              token: g.admin.token,
              expect: 200,
              check: (r) => expect(r.status).toBe(verb === 'accept' ? 'accepted' : 'declined'),
            },
          ],
        };
      },
    }),
  ),
];
