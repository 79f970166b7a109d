import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, startServer } from '../support/server.js';
import { V, befriend, convMember, db, entriesOf, eventsOf, expectError, groupWith, users } from './helpers.js';

const MAX = 5;

describe.each(testDialects())('groups over HTTP on %s', (dialect) => {
  let s: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  beforeAll(async () => {
    s = await startServer({ dialect, clock, config: { groupMaxMembers: MAX } });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('creates a group with friends: rows, conversation, system entry and events', async () => {
    const { api } = s;
    const [o, a, b, x] = await users(api, 'own', 'amy', 'bob', 'xen');
    await befriend(api, o, a);
    await befriend(api, o, b);
    // Strangers cannot be added, not even at creation; nothing is written.
    expectError(
      await api.post(`${V}/groups`, { name: 'Team', userIds: [a.user.id, x.user.id] }, o.token),
      403,
      'NOT_FRIENDS',
    );
    expect((await api.get(`${V}/groups`, o.token)).body.items).toEqual([]);

    const g = await api.post(
      `${V}/groups`,
      { name: 'Team', notice: 'be nice', joinPolicy: 'invite', userIds: [a.user.id, b.user.id] },
      o.token,
    );
    expect(g.status).toBe(201);
    expect(g.body).toMatchObject({
      name: 'Team',
      notice: 'be nice',
      joinPolicy: 'invite',
      memberCount: 3,
      role: 'owner',
      ownerId: o.user.id,
      conversation: `g:${g.body.id}`,
    });
    const cid = g.body.conversation;
    expect(await entriesOf(s, cid)).toEqual([
      {
        seq: 1,
        kind: 'system',
        sender: o.user.id,
        clientId: null,
        body: { system: { action: 'created', actor: o.user.id, name: 'Team', users: [a.user.id, b.user.id] } },
      },
    ]);
    for (const u of [o, a, b])
      expect(await convMember(s, cid, u.user.id)).toMatchObject({ joinedSeq: 0, leftSeq: null });
    expect((await eventsOf(s, a.user.id)).at(-1)).toMatchObject({
      kind: 'group.added',
      payload: { by: o.user.id, group: { id: g.body.id, role: 'member', memberCount: 3 } },
    });

    const mine = await api.get(`${V}/groups`, a.token);
    expect(mine.body.items).toMatchObject([{ id: g.body.id, role: 'member', notice: 'be nice' }]);
    const view = await api.get(`${V}/groups/${g.body.id}`, b.token);
    expect(view.body).toMatchObject({ id: g.body.id, notice: 'be nice', role: 'member' });
    // An invite-only group does not exist for a stranger.
    expectError(await api.get(`${V}/groups/${g.body.id}`, x.token), 404, 'GROUP_NOT_FOUND');
    expectError(await api.get(`${V}/groups/${g.body.id}/members`, x.token), 404, 'GROUP_NOT_FOUND');
    const members = await api.get(`${V}/groups/${g.body.id}/members`, a.token);
    expect(members.body.items.map((m: any) => [m.id, m.role])).toEqual(
      expect.arrayContaining([
        [o.user.id, 'owner'],
        [a.user.id, 'member'],
        [b.user.id, 'member'],
      ]),
    );
    expect(members.body.items).toHaveLength(3);

    expectError(await api.post(`${V}/groups`, { name: '' }, o.token), 400, 'VALIDATION_FAILED');
    expectError(await api.post(`${V}/groups`, { name: 'x', joinPolicy: 'secret' }, o.token), 400, 'VALIDATION_FAILED');
    expectError(await api.post(`${V}/groups`, { name: 'x', owner: a.user.id }, o.token), 400, 'VALIDATION_FAILED');
  });

  it('adding members: who may add under each policy, friends only, the size limit', async () => {
    const { api } = s;
    const [o, m, f1, f2, f3, f4, f5] = await users(api, 'own', 'mem', 'f1', 'f2', 'f3', 'f4', 'f5');
    const g = await groupWith(api, o, [m], { joinPolicy: 'approval' });
    await befriend(api, m, f1);
    // In an approval group a plain member may not add.
    expectError(
      await api.post(`${V}/groups/${g.id}/members`, { userIds: [f1.user.id] }, m.token),
      403,
      'ROLE_REQUIRED',
    );
    expect((await api.patch(`${V}/groups/${g.id}`, { joinPolicy: 'invite' }, o.token)).status).toBe(200);
    const added = await api.post(`${V}/groups/${g.id}/members`, { userIds: [f1.user.id] }, m.token);
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ added: [f1.user.id], group: { memberCount: 3, role: 'member' } });
    const entries = await entriesOf(s, `g:${g.id}`);
    const last = entries.at(-1)!;
    expect(last.body.system).toEqual({ action: 'added', actor: m.user.id, users: [f1.user.id] });
    expect(await convMember(s, `g:${g.id}`, f1.user.id)).toMatchObject({ joinedSeq: last.seq - 1, leftSeq: null });
    expectError(
      await api.post(`${V}/groups/${g.id}/members`, { userIds: [f1.user.id] }, m.token),
      409,
      'ALREADY_MEMBER',
    );

    // Not a friend of the adder, or a friend who blocked the adder: the same refusal.
    expectError(await api.post(`${V}/groups/${g.id}/members`, { userIds: [f2.user.id] }, m.token), 403, 'NOT_FRIENDS');
    await befriend(api, o, f2);
    await api.put(`${V}/blocks/${o.user.id}`, {}, f2.token);
    expectError(await api.post(`${V}/groups/${g.id}/members`, { userIds: [f2.user.id] }, o.token), 403, 'NOT_FRIENDS');
    await api.delete(`${V}/blocks/${o.user.id}`, f2.token);

    // Size limit (5): 3 now; adding 3 more is refused whole, adding 2 fills it.
    for (const f of [f3, f4, f5]) await befriend(api, o, f);
    expectError(
      await api.post(`${V}/groups/${g.id}/members`, { userIds: [f2.user.id, f3.user.id, f4.user.id] }, o.token),
      409,
      'GROUP_FULL',
    );
    expect((await api.get(`${V}/groups/${g.id}`, o.token)).body.memberCount).toBe(3);
    expect((await api.post(`${V}/groups/${g.id}/members`, { userIds: [f2.user.id, f3.user.id] }, o.token)).status).toBe(
      200,
    );
    expectError(await api.post(`${V}/groups/${g.id}/members`, { userIds: [f5.user.id] }, o.token), 409, 'GROUP_FULL');
    const count = await db(s)
      .selectFrom('group_members')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('group_id', '=', g.id)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(5);
    expectError(await api.post(`${V}/groups/${g.id}/members`, { userIds: [] }, o.token), 400, 'VALIDATION_FAILED');
  });

  it('open groups are joined at once; the limit holds when joins race', async () => {
    const { api } = s;
    const [o, a, b, c, d, e] = await users(api, 'own', 'j1', 'j2', 'j3', 'j4', 'j5');
    const g = await groupWith(api, o, [], { name: 'Open Club', joinPolicy: 'open' });
    // A stranger sees the public card only.
    const card = await api.get(`${V}/groups/${g.id}`, a.token);
    expect(card.body).toEqual({ id: g.id, name: 'Open Club', avatar: null, joinPolicy: 'open', memberCount: 1 });
    expectError(await api.get(`${V}/groups/${g.id}/members`, a.token), 403, 'NOT_A_MEMBER');
    const joined = await api.post(`${V}/groups/${g.id}/join`, {}, a.token);
    expect(joined.status).toBe(200);
    expect(joined.body).toMatchObject({ status: 'joined', group: { id: g.id, role: 'member', memberCount: 2 } });
    const last = (await entriesOf(s, `g:${g.id}`)).at(-1)!;
    expect(last.body.system).toEqual({ action: 'joined', actor: a.user.id, users: [a.user.id] });
    expect(await convMember(s, `g:${g.id}`, a.user.id)).toMatchObject({ joinedSeq: last.seq - 1 });
    expectError(await api.post(`${V}/groups/${g.id}/join`, {}, a.token), 409, 'ALREADY_MEMBER');

    // 2 members, limit 5: four racing joins, exactly three get in.
    const results = await Promise.all([b, c, d, e].map((u) => api.post(`${V}/groups/${g.id}/join`, {}, u.token)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(3);
    const full = results.filter((r) => r.status !== 200);
    expect(full).toHaveLength(1);
    expectError(full[0]!, 409, 'GROUP_FULL');
    expect((await api.get(`${V}/groups/${g.id}`, o.token)).body.memberCount).toBe(5);
    const seqs = (await entriesOf(s, `g:${g.id}`)).map((x) => x.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it('approval groups: request, list, accept, decline (admins only)', async () => {
    const { api } = s;
    const [o, m, a, b] = await users(api, 'own', 'mem', 'ask1', 'ask2');
    const g = await groupWith(api, o, [m], { name: 'Club', joinPolicy: 'approval' });
    const r1 = await api.post(`${V}/groups/${g.id}/join`, { message: 'let me in' }, a.token);
    expect(r1.status).toBe(202);
    expect(r1.body).toMatchObject({
      status: 'pending',
      request: { groupId: g.id, user: { id: a.user.id }, message: 'let me in', status: 'pending' },
    });
    expectError(await api.post(`${V}/groups/${g.id}/join`, {}, a.token), 409, 'REQUEST_PENDING');
    const r2 = await api.post(`${V}/groups/${g.id}/join`, {}, b.token);
    expect((await eventsOf(s, o.user.id)).filter((e) => e.kind === 'group.request')).toHaveLength(2);

    expectError(await api.get(`${V}/groups/${g.id}/requests`, m.token), 403, 'ROLE_REQUIRED');
    expectError(await api.get(`${V}/groups/${g.id}/requests`, a.token), 403, 'NOT_A_MEMBER');
    const list = await api.get(`${V}/groups/${g.id}/requests`, o.token);
    expect(list.body.items.map((r: any) => r.user.id).sort()).toEqual([a.user.id, b.user.id].sort());

    expectError(
      await api.post(`${V}/groups/${g.id}/requests/${r1.body.request.id}/accept`, {}, m.token),
      403,
      'ROLE_REQUIRED',
    );
    const ok = await api.post(`${V}/groups/${g.id}/requests/${r1.body.request.id}/accept`, {}, o.token);
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('accepted');
    expect((await api.get(`${V}/groups/${g.id}`, a.token)).body.role).toBe('member');
    expect((await eventsOf(s, a.user.id)).at(-1)).toMatchObject({
      kind: 'group.request.accepted',
      payload: { group: { id: g.id, role: 'member' } },
    });
    expectError(
      await api.post(`${V}/groups/${g.id}/requests/${r1.body.request.id}/accept`, {}, o.token),
      404,
      'REQUEST_NOT_FOUND',
    );

    const no = await api.post(`${V}/groups/${g.id}/requests/${r2.body.request.id}/decline`, {}, o.token);
    expect(no.body.status).toBe('declined');
    expect((await eventsOf(s, b.user.id)).at(-1)).toMatchObject({ kind: 'group.request.declined' });
    expectError(await api.get(`${V}/groups/${g.id}/members`, b.token), 403, 'NOT_A_MEMBER');
    // A request id from another group is not found through this one.
    const other = await groupWith(api, o, [], { joinPolicy: 'approval' });
    const r3 = await api.post(`${V}/groups/${other.id}/join`, {}, b.token);
    expectError(
      await api.post(`${V}/groups/${g.id}/requests/${r3.body.request.id}/accept`, {}, o.token),
      404,
      'REQUEST_NOT_FOUND',
    );
    expect((await api.get(`${V}/groups/${g.id}/requests`, o.token)).body.items).toEqual([]);

    // Invite-only: no join at all.
    const inv = await groupWith(api, o, [], { joinPolicy: 'invite' });
    expectError(await api.post(`${V}/groups/${inv.id}/join`, {}, b.token), 404, 'GROUP_NOT_FOUND');
  });

  it('a requester withdraws their own pending join request (DELETE /groups/:id/join)', async () => {
    const { api } = s;
    const [o, ad, m, a, b] = await users(api, 'own', 'adm', 'mem', 'ask1', 'ask2');
    const g = await groupWith(api, o, [ad, m], { joinPolicy: 'approval' });
    expect((await api.patch(`${V}/groups/${g.id}/members/${ad.user.id}`, { role: 'admin' }, o.token)).status).toBe(200);
    const r1 = await api.post(`${V}/groups/${g.id}/join`, { message: 'hi' }, a.token);
    const r2 = await api.post(`${V}/groups/${g.id}/join`, {}, b.token);
    const before = await entriesOf(s, `g:${g.id}`);

    const gone = await api.delete(`${V}/groups/${g.id}/join`, a.token);
    expect(gone.status).toBe(200);
    expect(gone.body).toMatchObject({
      id: r1.body.request.id,
      groupId: g.id,
      user: { id: a.user.id },
      message: 'hi',
      status: 'canceled',
    });
    // Only the caller's own request went; no entry in the group conversation.
    expect((await api.get(`${V}/groups/${g.id}/requests`, o.token)).body.items.map((r: any) => r.id)).toEqual([
      r2.body.request.id,
    ]);
    expect(await entriesOf(s, `g:${g.id}`)).toEqual(before);
    // The admins who were told of the request, and the requester's devices, hear it is gone; plain members do not.
    for (const u of [o, ad, a]) {
      expect((await eventsOf(s, u.user.id)).at(-1), u.user.username).toEqual(
        expect.objectContaining({
          kind: 'group.request.canceled',
          payload: {
            requestId: r1.body.request.id,
            group: { id: g.id, name: g.name, avatar: null, joinPolicy: 'approval', memberCount: 3 },
          },
        }),
      );
    }
    expect((await eventsOf(s, m.user.id)).some((e) => e.kind === 'group.request.canceled')).toBe(false);

    // Nothing pending any more: a stable 404; the canceled request cannot be decided; asking again works.
    expectError(await api.delete(`${V}/groups/${g.id}/join`, a.token), 404, 'REQUEST_NOT_FOUND');
    expectError(
      await api.post(`${V}/groups/${g.id}/requests/${r1.body.request.id}/accept`, {}, o.token),
      404,
      'REQUEST_NOT_FOUND',
    );
    expect((await api.post(`${V}/groups/${g.id}/join`, {}, a.token)).status).toBe(202);
    // A member has nothing to withdraw; an unknown group, and an invite-only one for a non-member, do not exist.
    expectError(await api.delete(`${V}/groups/${g.id}/join`, m.token), 404, 'REQUEST_NOT_FOUND');
    expectError(await api.delete(`${V}/groups/0000000000000000000000000z/join`, a.token), 404, 'GROUP_NOT_FOUND');
    const inv = await groupWith(api, o, [], { joinPolicy: 'invite' });
    expectError(await api.delete(`${V}/groups/${inv.id}/join`, a.token), 404, 'GROUP_NOT_FOUND');
    expectError(await api.delete(`${V}/groups/not-an-id/join`, a.token), 400, 'VALIDATION_FAILED');

    // A request still pending when the policy turned invite-only can be withdrawn by its sender.
    expect((await api.patch(`${V}/groups/${g.id}`, { joinPolicy: 'invite' }, o.token)).status).toBe(200);
    expect((await api.delete(`${V}/groups/${g.id}/join`, b.token)).body).toMatchObject({
      id: r2.body.request.id,
      status: 'canceled',
    });
  });

  it('withdrawing races a decision: exactly one wins', async () => {
    const { api } = s;
    const [o, a] = await users(api, 'own', 'ask');
    const g = await groupWith(api, o, [], { joinPolicy: 'approval' });
    const r = await api.post(`${V}/groups/${g.id}/join`, {}, a.token);
    const [cancel, accept] = await Promise.all([
      api.delete(`${V}/groups/${g.id}/join`, a.token),
      api.post(`${V}/groups/${g.id}/requests/${r.body.request.id}/accept`, {}, o.token),
    ]);
    expect([cancel.status, accept.status].sort()).toEqual([200, 404]);
    const row = await db(s)
      .selectFrom('group_requests')
      .select(['status', 'pending_key'])
      .where('id', '=', r.body.request.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: cancel.status === 200 ? 'canceled' : 'accepted', pending_key: null });
    expect((await api.get(`${V}/groups/${g.id}`, o.token)).body.memberCount).toBe(cancel.status === 200 ? 1 : 2);
  });

  it('roles: promote, demote, kick and mute follow rank; a kicked member loses access at once', async () => {
    const { api } = s;
    const [o, ad, m1, m2] = await users(api, 'own', 'adm', 'm1', 'm2');
    const g = await groupWith(api, o, [ad, m1, m2], { joinPolicy: 'invite' });
    const cid = `g:${g.id}`;
    expectError(
      await api.patch(`${V}/groups/${g.id}/members/${m1.user.id}`, { role: 'admin' }, m2.token),
      403,
      'ROLE_REQUIRED',
    );
    const promoted = await api.patch(`${V}/groups/${g.id}/members/${ad.user.id}`, { role: 'admin' }, o.token);
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ id: ad.user.id, role: 'admin' });
    expect((await entriesOf(s, cid)).at(-1)!.body.system).toEqual({
      action: 'role',
      actor: o.user.id,
      users: [ad.user.id],
      role: 'admin',
    });
    expect((await eventsOf(s, ad.user.id)).at(-1)).toMatchObject({
      kind: 'group.updated',
      payload: { group: { role: 'admin' } },
    });
    // Admins do not set roles; nobody sets the owner's role or their own.
    expectError(
      await api.patch(`${V}/groups/${g.id}/members/${m1.user.id}`, { role: 'admin' }, ad.token),
      403,
      'ROLE_REQUIRED',
    );
    expectError(
      await api.patch(`${V}/groups/${g.id}/members/${o.user.id}`, { role: 'member' }, o.token),
      400,
      'CANNOT_TARGET_SELF',
    );
    expectError(
      await api.patch(`${V}/groups/${g.id}/members/${m1.user.id}`, { role: 'owner' }, o.token),
      400,
      'VALIDATION_FAILED',
    );
    expectError(
      await api.patch(`${V}/groups/${g.id}/members/${m1.user.id}`, { role: 'admin', mutedUntil: null }, o.token),
      400,
      'VALIDATION_FAILED',
    );

    // Mute: admins mute plain members, not the owner; a time in the past is refused.
    const until = clock.now() + 3_600_000;
    const muted = await api.patch(`${V}/groups/${g.id}/members/${m1.user.id}`, { mutedUntil: until }, ad.token);
    expect(muted.body).toMatchObject({ id: m1.user.id, mutedUntil: until });
    expect((await api.get(`${V}/groups/${g.id}`, m1.token)).body.mutedUntil).toBe(until);
    expect((await entriesOf(s, cid)).at(-1)!.body.system).toEqual({
      action: 'muted',
      actor: ad.user.id,
      users: [m1.user.id],
      until,
    });
    expectError(
      await api.patch(`${V}/groups/${g.id}/members/${o.user.id}`, { mutedUntil: until }, ad.token),
      403,
      'ROLE_REQUIRED',
    );
    expectError(
      await api.patch(`${V}/groups/${g.id}/members/${m2.user.id}`, { mutedUntil: clock.now() - 1 }, ad.token),
      400,
      'VALIDATION_FAILED',
    );
    expect(
      (await api.patch(`${V}/groups/${g.id}/members/${m1.user.id}`, { mutedUntil: null }, ad.token)).body.mutedUntil,
    ).toBeNull();

    // Kick: members cannot, admins kick members but not admins or the owner.
    expectError(await api.delete(`${V}/groups/${g.id}/members/${m2.user.id}`, m1.token), 403, 'ROLE_REQUIRED');
    expectError(await api.delete(`${V}/groups/${g.id}/members/${o.user.id}`, ad.token), 403, 'ROLE_REQUIRED');
    expectError(await api.delete(`${V}/groups/${g.id}/members/${ad.user.id}`, ad.token), 400, 'CANNOT_TARGET_SELF');
    const stranger = (await users(api, 'str'))[0]!;
    expectError(await api.delete(`${V}/groups/${g.id}/members/${stranger.user.id}`, ad.token), 404, 'MEMBER_NOT_FOUND');
    expect((await api.delete(`${V}/groups/${g.id}/members/${m2.user.id}`, ad.token)).status).toBe(200);
    const kickEntry = (await entriesOf(s, cid)).at(-1)!;
    expect(kickEntry.body.system).toEqual({ action: 'removed', actor: ad.user.id, users: [m2.user.id] });
    expect(await convMember(s, cid, m2.user.id)).toMatchObject({ leftSeq: kickEntry.seq });
    expect((await eventsOf(s, m2.user.id)).at(-1)).toMatchObject({
      kind: 'group.removed',
      payload: { groupId: g.id, reason: 'removed' },
    });
    expectError(await api.get(`${V}/groups/${g.id}`, m2.token), 404, 'GROUP_NOT_FOUND');
    expectError(await api.get(`${V}/groups/${g.id}/members`, m2.token), 404, 'GROUP_NOT_FOUND');
    expectError(await api.post(`${V}/groups/${g.id}/leave`, {}, m2.token), 404, 'GROUP_NOT_FOUND');
    expect((await api.get(`${V}/groups`, m2.token)).body.items).toEqual([]);
    expect((await api.get(`${V}/groups/${g.id}`, o.token)).body.memberCount).toBe(3);

    // Re-added: access again, joined after the old exit, left_seq cleared.
    expect((await api.post(`${V}/groups/${g.id}/members`, { userIds: [m2.user.id] }, o.token)).status).toBe(200);
    const back = (await entriesOf(s, cid)).at(-1)!;
    expect(await convMember(s, cid, m2.user.id)).toEqual({
      joinedSeq: back.seq - 1,
      leftSeq: null,
      readSeq: back.seq - 1,
    });

    // The owner kicks an admin; demotion works.
    expect((await api.patch(`${V}/groups/${g.id}/members/${ad.user.id}`, { role: 'member' }, o.token)).body.role).toBe(
      'member',
    );
    expect((await api.delete(`${V}/groups/${g.id}/members/${ad.user.id}`, o.token)).status).toBe(200);
  });

  it('leave, transfer, edit and dissolve', async () => {
    const { api } = s;
    const [o, a, b] = await users(api, 'own', 'ann', 'bea');
    const g = await groupWith(api, o, [a, b], { name: 'Book Club', joinPolicy: 'invite' });
    const cid = `g:${g.id}`;
    expectError(await api.post(`${V}/groups/${g.id}/leave`, {}, o.token), 409, 'OWNER_CANNOT_LEAVE');
    expect((await api.post(`${V}/groups/${g.id}/leave`, {}, b.token)).status).toBe(200);
    const left = (await entriesOf(s, cid)).at(-1)!;
    expect(left.body.system).toEqual({ action: 'left', actor: b.user.id, users: [b.user.id] });
    expect(await convMember(s, cid, b.user.id)).toMatchObject({ leftSeq: left.seq });
    expectError(await api.post(`${V}/groups/${g.id}/leave`, {}, b.token), 404, 'GROUP_NOT_FOUND');

    // Edits: the name is the owner's; notice and policy are admins'.
    expectError(await api.patch(`${V}/groups/${g.id}`, { notice: 'x' }, a.token), 403, 'ROLE_REQUIRED');
    await api.patch(`${V}/groups/${g.id}/members/${a.user.id}`, { role: 'admin' }, o.token);
    expect((await api.patch(`${V}/groups/${g.id}`, { notice: 'Chapter 3 on Friday' }, a.token)).body).toMatchObject({
      notice: 'Chapter 3 on Friday',
      role: 'admin',
    });
    expectError(await api.patch(`${V}/groups/${g.id}`, { name: 'Mine now' }, a.token), 403, 'ROLE_REQUIRED');
    const renamed = await api.patch(`${V}/groups/${g.id}`, { name: 'Readers' }, o.token);
    expect(renamed.body).toMatchObject({ name: 'Readers', notice: 'Chapter 3 on Friday' });
    const sys = (await entriesOf(s, cid)).slice(-2).map((e) => e.body.system);
    expect(sys).toEqual([
      { action: 'updated', actor: a.user.id, notice: 'Chapter 3 on Friday' },
      { action: 'renamed', actor: o.user.id, name: 'Readers' },
    ]);
    expectError(await api.patch(`${V}/groups/${g.id}`, {}, o.token), 400, 'VALIDATION_FAILED');

    // Transfer: only to a member; the old owner becomes an admin.
    expectError(
      await api.post(`${V}/groups/${g.id}/transfer`, { userId: b.user.id }, o.token),
      404,
      'MEMBER_NOT_FOUND',
    );
    expectError(await api.post(`${V}/groups/${g.id}/transfer`, { userId: o.user.id }, a.token), 403, 'ROLE_REQUIRED');
    const t = await api.post(`${V}/groups/${g.id}/transfer`, { userId: a.user.id }, o.token);
    expect(t.body).toMatchObject({ ownerId: a.user.id, role: 'admin' });
    expect((await api.get(`${V}/groups/${g.id}`, a.token)).body).toMatchObject({ role: 'owner', ownerId: a.user.id });
    expect((await entriesOf(s, cid)).at(-1)!.body.system).toEqual({
      action: 'transferred',
      actor: o.user.id,
      users: [a.user.id],
    });
    expect((await api.post(`${V}/groups/${g.id}/leave`, {}, o.token)).status).toBe(200);

    // Dissolve: owner only; everyone leaves at the dissolved entry; the group is gone.
    await befriend(api, a, b);
    await api.post(`${V}/groups/${g.id}/members`, { userIds: [b.user.id] }, a.token);
    expectError(await api.delete(`${V}/groups/${g.id}`, b.token), 403, 'ROLE_REQUIRED');
    expect((await api.delete(`${V}/groups/${g.id}`, a.token)).status).toBe(200);
    const end = (await entriesOf(s, cid)).at(-1)!;
    expect(end.body.system).toEqual({ action: 'dissolved', actor: a.user.id });
    for (const u of [a, b]) {
      expect(await convMember(s, cid, u.user.id)).toMatchObject({ leftSeq: end.seq });
      expect((await eventsOf(s, u.user.id)).at(-1)).toMatchObject({
        kind: 'group.dissolved',
        payload: { groupId: g.id },
      });
      expectError(await api.get(`${V}/groups/${g.id}`, u.token), 404, 'GROUP_NOT_FOUND');
      expect((await api.get(`${V}/groups`, u.token)).body.items).toEqual([]);
    }
    expectError(await api.delete(`${V}/groups/${g.id}`, a.token), 404, 'GROUP_NOT_FOUND');
  });

  it('search by exact id or name shows only groups the searcher may know of', async () => {
    const { api } = s;
    const [o, x] = await users(api, 'own', 'srch');
    const name = `Chess ${Date.now().toString(36)}`;
    const open = await groupWith(api, o, [], { name, joinPolicy: 'open' });
    const hidden = await groupWith(api, o, [], { name, joinPolicy: 'invite' });
    const byName = await api.get(`${V}/groups/search?q=${encodeURIComponent(name.toUpperCase())}`, x.token);
    expect(byName.body.items).toEqual([{ id: open.id, name, avatar: null, joinPolicy: 'open', memberCount: 1 }]);
    expect((await api.get(`${V}/groups/search?q=${open.id}`, x.token)).body.items.map((g: any) => g.id)).toEqual([
      open.id,
    ]);
    expect((await api.get(`${V}/groups/search?q=${hidden.id}`, x.token)).body.items).toEqual([]);
    expect((await api.get(`${V}/groups/search?q=${hidden.id}`, o.token)).body.items.map((g: any) => g.id)).toEqual([
      hidden.id,
    ]);
    expect((await api.get(`${V}/groups/search?q=Ches`, x.token)).body.items).toEqual([]);
    expectError(await api.get(`${V}/groups/search`, x.token), 400, 'VALIDATION_FAILED');
  });

  it('pages the member list', async () => {
    const { api } = s;
    const [o, a, b, c] = await users(api, 'own', 'p1', 'p2', 'p3');
    for (const u of [a, b, c]) await befriend(api, o, u);
    const g = await groupWith(api, o, []);
    for (const u of [a, b, c]) {
      clock.advance(1000);
      await api.post(`${V}/groups/${g.id}/members`, { userIds: [u.user.id] }, o.token);
    }
    const seen: string[] = [];
    let next: string | undefined;
    do {
      const p = await api.get(`${V}/groups/${g.id}/members?limit=3${next ? `&cursor=${next}` : ''}`, a.token);
      expect(p.status).toBe(200);
      seen.push(...p.body.items.map((m: any) => m.id));
      next = p.body.next;
    } while (next);
    expect(seen).toEqual([o, a, b, c].map((u) => u.user.id));
    expectError(await api.get(`${V}/groups/${g.id}/members?limit=500`, a.token), 400, 'VALIDATION_FAILED');
    expectError(await api.get(`${V}/groups/not-an-id`, a.token), 400, 'VALIDATION_FAILED');
    expectError(await api.get(`${V}/groups/${'0'.repeat(26)}`, a.token), 404, 'GROUP_NOT_FOUND');
  });
  it('the size limit also holds at creation and when a join request is accepted; more refusals', async () => {
    const { api } = s;
    const [o, f1, f2, f3, f4, f5, asker] = await users(api, 'own', 'l1', 'l2', 'l3', 'l4', 'l5', 'ask');
    for (const f of [f1, f2, f3, f4, f5]) await befriend(api, o, f);
    const all = [f1, f2, f3, f4, f5].map((f) => f.user.id);
    expectError(await api.post(`${V}/groups`, { name: 'too big', userIds: all }, o.token), 409, 'GROUP_FULL');
    expect((await api.get(`${V}/groups`, o.token)).body.items).toEqual([]);

    const g = await api.post(
      `${V}/groups`,
      { name: 'almost', joinPolicy: 'approval', userIds: all.slice(0, 3) },
      o.token,
    );
    const req = await api.post(`${V}/groups/${g.body.id}/join`, {}, asker.token);
    expect((await api.post(`${V}/groups/${g.body.id}/members`, { userIds: [f4.user.id] }, o.token)).status).toBe(200);
    expectError(
      await api.post(`${V}/groups/${g.body.id}/requests/${req.body.request.id}/accept`, {}, o.token),
      409,
      'GROUP_FULL',
    );
    // Nothing changed: the request is still pending, the asker still outside.
    expect((await api.get(`${V}/groups/${g.body.id}/requests`, o.token)).body.items.map((r: any) => r.id)).toEqual([
      req.body.request.id,
    ]);
    expectError(await api.get(`${V}/groups/${g.body.id}/members`, asker.token), 403, 'NOT_A_MEMBER');

    expectError(
      await api.post(`${V}/groups/${g.body.id}/transfer`, { userId: o.user.id }, o.token),
      400,
      'CANNOT_TARGET_SELF',
    );
    expectError(await api.delete(`${V}/groups/${g.body.id}/members/${o.user.id}`, o.token), 400, 'CANNOT_TARGET_SELF');
    expectError(await api.post(`${V}/groups/${g.body.id}/leave`, {}, asker.token), 403, 'NOT_A_MEMBER');
    expectError(
      await api.post(`${V}/groups/${g.body.id}/transfer`, { userId: f1.user.id }, asker.token),
      403,
      'NOT_A_MEMBER',
    );
    expectError(
      await api.post(`${V}/groups/${g.body.id}/join`, { extra: true }, asker.token),
      400,
      'VALIDATION_FAILED',
    );
  });
});
