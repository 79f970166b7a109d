import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rate } from '../../src/config-spec.js';
import { ManualClock } from '../../src/domain/clock.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, startServer } from '../support/server.js';
import { V, type U, db, entriesOf, eventsOf, expectError, groupWith, users } from './helpers.js';

const MAX = 4;

describe.each(testDialects())('group invite links over HTTP on %s', (dialect) => {
  let s: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  beforeAll(async () => {
    s = await startServer({ dialect, clock, config: { groupMaxMembers: MAX, groupInvitesMax: 3 } });
  });
  afterAll(async () => {
    await s?.close();
  });

  const create = (g: { id: string }, who: U, body: Record<string, unknown> = {}) =>
    s.api.post(`${V}/groups/${g.id}/invites`, body, who.token);
  const preview = (code: string, who: U) => s.api.post(`${V}/invites/preview`, { code }, who.token);
  const join = (code: string, who: U) => s.api.post(`${V}/invites/join`, { code }, who.token);

  it('an admin creates a link; a stranger previews an invite-only group and joins with one click', async () => {
    const [o, m, x] = await users(s.api, 'own', 'mem', 'xen');
    const g = await groupWith(s.api, o, [m], {
      name: 'Secret club',
      notice: `${'n'.repeat(250)}`,
      joinPolicy: 'invite',
    });
    const r = await create(g, o, { expiresInSeconds: 3600, maxUses: 5 });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const { code, invite } = r.body;
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(invite).toMatchObject({
      groupId: g.id,
      createdBy: o.user.id,
      expiresAt: clock.now() + 3_600_000,
      maxUses: 5,
      uses: 0,
      revokedAt: null,
      status: 'active',
    });
    // Only the hash is kept.
    const row = await db(s)
      .selectFrom('group_invites')
      .selectAll()
      .where('id', '=', invite.id)
      .executeTakeFirstOrThrow();
    expect(row.code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(code);

    // Without the code, the group does not exist for the stranger; with it, its card shows.
    expectError(await s.api.get(`${V}/groups/${g.id}`, x.token), 404, 'GROUP_NOT_FOUND');
    const p = await preview(code, x);
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(p.body).toEqual({
      group: {
        id: g.id,
        name: 'Secret club',
        avatar: null,
        joinPolicy: 'invite',
        memberCount: 2,
        notice: 'n'.repeat(200),
      },
      member: false,
      expiresAt: invite.expiresAt,
    });
    expect((await preview(code, m)).body.member).toBe(true);

    const j = await join(code, x);
    expect(j.status, JSON.stringify(j.body)).toBe(200);
    expect(j.body).toMatchObject({ status: 'joined', group: { id: g.id, role: 'member', memberCount: 3 } });
    // The same system entry as any join, marked as made through a link.
    expect((await entriesOf(s, g.conversation)).at(-1)).toMatchObject({
      kind: 'system',
      sender: x.user.id,
      body: { system: { action: 'joined', actor: x.user.id, users: [x.user.id], via: 'invite' } },
    });
    expect((await eventsOf(s, x.user.id)).at(-1)).toMatchObject({
      kind: 'group.added',
      payload: { group: { id: g.id } },
    });
    // A member joining again is refused and takes no use.
    expectError(await join(code, x), 409, 'ALREADY_MEMBER');
    const list = await s.api.get(`${V}/groups/${g.id}/invites`, o.token);
    expect(list.body.items).toMatchObject([{ id: invite.id, uses: 1, status: 'active' }]);
    // Listing never shows a code.
    expect(JSON.stringify(list.body)).not.toContain(code);
  });

  it('only admins manage links; a plain member or stranger is refused; an unknown code is 404', async () => {
    const [o, a, m, x] = await users(s.api, 'own', 'adm', 'mem', 'xen');
    const g = await groupWith(s.api, o, [a, m], { joinPolicy: 'open' });
    expect((await s.api.patch(`${V}/groups/${g.id}/members/${a.user.id}`, { role: 'admin' }, o.token)).status).toBe(
      200,
    );
    expect((await create(g, a)).status).toBe(201);
    expectError(await create(g, m), 403, 'ROLE_REQUIRED');
    expectError(await create(g, x), 403, 'NOT_A_MEMBER');
    expectError(await s.api.get(`${V}/groups/${g.id}/invites`, m.token), 403, 'ROLE_REQUIRED');
    const inv = (await s.api.get(`${V}/groups/${g.id}/invites`, o.token)).body.items[0];
    expectError(await s.api.delete(`${V}/groups/${g.id}/invites/${inv.id}`, m.token), 403, 'ROLE_REQUIRED');
    expectError(await preview('A'.repeat(43), x), 404, 'INVITE_NOT_FOUND');
    expectError(await join('A'.repeat(43), x), 404, 'INVITE_NOT_FOUND');
    expectError(await preview('bad code!', x), 400, 'VALIDATION_FAILED');
    expectError(await create(g, o, { maxUses: 0 }), 400, 'VALIDATION_FAILED');
    expectError(await create(g, o, { expiresInSeconds: 5 }), 400, 'VALIDATION_FAILED');
    // The per-group bound on live links (3 here); revoking one makes room.
    expect((await create(g, o)).status).toBe(201);
    expect((await create(g, o)).status).toBe(201);
    expectError(await create(g, o), 409, 'TOO_MANY_INVITES');
    expect((await s.api.delete(`${V}/groups/${g.id}/invites/${inv.id}`, o.token)).status).toBe(200);
    expect((await create(g, o)).status).toBe(201);
  });

  it('a revoked or expired link says so, with a stable code, and joins nobody', async () => {
    const [o, x, y] = await users(s.api, 'own', 'xen', 'yan');
    const g = await groupWith(s.api, o, [], { joinPolicy: 'open' });
    const rev = (await create(g, o)).body;
    const del = await s.api.delete(`${V}/groups/${g.id}/invites/${rev.invite.id}`, o.token);
    expect(del.body).toMatchObject({ id: rev.invite.id, status: 'revoked', revokedAt: clock.now() });
    // Idempotent.
    expect((await s.api.delete(`${V}/groups/${g.id}/invites/${rev.invite.id}`, o.token)).body.revokedAt).toBe(
      del.body.revokedAt,
    );
    expectError(await preview(rev.code, x), 410, 'INVITE_REVOKED');
    expectError(await join(rev.code, x), 410, 'INVITE_REVOKED');

    clock.advance(1000);
    const exp = (await create(g, o, { expiresInSeconds: 60 })).body;
    expect((await preview(exp.code, x)).status).toBe(200);
    clock.advance(60_000);
    expectError(await preview(exp.code, x), 410, 'INVITE_EXPIRED');
    expectError(await join(exp.code, y), 410, 'INVITE_EXPIRED');
    expect((await s.api.get(`${V}/groups/${g.id}`, o.token)).body.memberCount).toBe(1);
    const list = (await s.api.get(`${V}/groups/${g.id}/invites`, o.token)).body.items;
    expect(list.map((i: any) => i.status)).toEqual(['expired', 'revoked']);
    expectError(await s.api.delete(`${V}/groups/${g.id}/invites/${'a'.repeat(26)}`, o.token), 404, 'INVITE_NOT_FOUND');
  });

  it('two joins racing for the last use: exactly one gets in, the other is told the link is used up', async () => {
    const [o, x, y, z] = await users(s.api, 'own', 'xen', 'yan', 'zed');
    const g = await groupWith(s.api, o, [], { joinPolicy: 'invite' });
    const { code, invite } = (await create(g, o, { maxUses: 1 })).body;
    const [rx, ry] = await Promise.all([join(code, x), join(code, y)]);
    const statuses = [rx.status, ry.status].sort();
    expect(statuses, JSON.stringify([rx.body, ry.body])).toEqual([200, 410]);
    const lost = rx.status === 410 ? rx : ry;
    expectError(lost, 410, 'INVITE_USED_UP');
    expectError(await join(code, z), 410, 'INVITE_USED_UP');
    const row = await db(s)
      .selectFrom('group_invites')
      .selectAll()
      .where('id', '=', invite.id)
      .executeTakeFirstOrThrow();
    expect(Number(row.uses)).toBe(1);
    expect((await s.api.get(`${V}/groups/${g.id}`, o.token)).body.memberCount).toBe(2);
    const joins = (await entriesOf(s, g.conversation)).filter((e) => e.body.system?.action === 'joined');
    expect(joins).toHaveLength(1);
  });

  it('the member cap holds for links, and a refused join takes no use', async () => {
    const [o, a, b, c, x] = await users(s.api, 'own', 'amy', 'bob', 'cat', 'xen');
    const g = await groupWith(s.api, o, [a, b, c], { joinPolicy: 'invite' });
    const { code, invite } = (await create(g, o, { maxUses: 3 })).body;
    expectError(await join(code, x), 409, 'GROUP_FULL');
    const row = await db(s)
      .selectFrom('group_invites')
      .selectAll()
      .where('id', '=', invite.id)
      .executeTakeFirstOrThrow();
    expect(Number(row.uses)).toBe(0);
  });

  it('an approval group: the link makes a join request for the admins instead', async () => {
    const [o, x] = await users(s.api, 'own', 'xen');
    const g = await groupWith(s.api, o, [], { joinPolicy: 'approval' });
    const { code } = (await create(g, o, { maxUses: 2 })).body;
    expect((await preview(code, x)).body.group.joinPolicy).toBe('approval');
    const j = await join(code, x);
    expect(j.status, JSON.stringify(j.body)).toBe(202);
    expect(j.body).toMatchObject({ status: 'pending', request: { groupId: g.id, user: { id: x.user.id } } });
    expectError(await join(code, x), 409, 'REQUEST_PENDING');
    const reqs = await s.api.get(`${V}/groups/${g.id}/requests`, o.token);
    expect(reqs.body.items).toMatchObject([{ user: { id: x.user.id }, status: 'pending' }]);
    expect((await s.api.get(`${V}/groups/${g.id}/invites`, o.token)).body.items[0].uses).toBe(1);
  });

  it('a dissolved group’s links are dead', async () => {
    const [o, x] = await users(s.api, 'own', 'xen');
    const g = await groupWith(s.api, o, [], { joinPolicy: 'open' });
    const { code } = (await create(g, o)).body;
    expect((await s.api.delete(`${V}/groups/${g.id}`, o.token)).status).toBe(200);
    expectError(await preview(code, x), 410, 'INVITE_REVOKED');
    expectError(await join(code, x), 410, 'INVITE_REVOKED');
  });
});

describe('invite look-ups are metered per user', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ config: { inviteRate: rate('3/1h') } });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('guessing codes runs into RATE_LIMITED with Retry-After', async () => {
    const [x] = await users(s.api, 'xen');
    for (let i = 0; i < 3; i++)
      expectError(await s.api.post(`${V}/invites/preview`, { code: `guess${i}`.padEnd(43, 'x') }, x.token), 404);
    const r = await s.api.post(`${V}/invites/join`, { code: 'guess9'.padEnd(43, 'x') }, x.token);
    expectError(r, 429, 'RATE_LIMITED');
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    // The code never reaches the logs.
    expect(s.logs.text).not.toContain('guess9');
  });
});
