import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../support/databases.js';
import { type TestServer, startServer } from '../support/server.js';
import { V, befriend, expectError, groupWith, users } from './helpers.js';

describe.each(testDialects())('profiles and badges over HTTP on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ dialect });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('mutual groups: only live groups both are in, paged without gaps or repeats', async () => {
    const { api } = s;
    const [ann, bob, cat] = await users(api, 'ann', 'bob', 'cat');
    const shared = [];
    for (let i = 0; i < 3; i++) shared.push(await groupWith(api, ann, [bob, cat]));
    const annAndCat = await groupWith(api, ann, [cat]);
    const bobsOwn = await groupWith(api, bob, []);
    const dissolved = await groupWith(api, ann, [bob]);
    expect((await api.delete(`${V}/groups/${dissolved.id}`, ann.token)).status).toBe(200);
    // Bob left one of the shared groups: it is no longer mutual.
    const left = await groupWith(api, ann, [bob]);
    expect((await api.post(`${V}/groups/${left.id}/leave`, {}, bob.token)).status).toBe(200);

    const all = await api.get(`${V}/users/${bob.user.id}/mutual-groups`, ann.token);
    expect(all.status).toBe(200);
    const ids = all.body.items.map((g: { id: string }) => g.id);
    expect([...ids].sort()).toEqual(shared.map((g) => g.id).sort());
    expect(ids).not.toContain(annAndCat.id);
    expect(ids).not.toContain(bobsOwn.id);
    expect(all.body.next).toBeUndefined();
    // The view is the caller's own: Ann owns these groups.
    expect(all.body.items.every((g: { role: string }) => g.role === 'owner')).toBe(true);
    // Bob sees the same groups from his side, as a member.
    const back = await api.get(`${V}/users/${ann.user.id}/mutual-groups`, bob.token);
    expect(back.body.items.map((g: { id: string }) => g.id).sort()).toEqual([...ids].sort());
    expect(back.body.items.every((g: { role: string }) => g.role === 'member')).toBe(true);

    const paged: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const q = `limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const r = await api.get(`${V}/users/${bob.user.id}/mutual-groups?${q}`, ann.token);
      expect(r.status).toBe(200);
      paged.push(...r.body.items.map((g: { id: string }) => g.id));
      cursor = r.body.next;
      if (!cursor) break;
    }
    expect(paged).toEqual(ids);
  });

  it('mutual groups: refuses bad input with stable codes', async () => {
    const { api } = s;
    const [ann] = await users(api, 'ann');
    expectError(await api.get(`${V}/users/${ann.user.id}/mutual-groups`, ann.token), 400, 'CANNOT_TARGET_SELF');
    expectError(await api.get(`${V}/users/${'0'.repeat(26)}/mutual-groups`, ann.token), 404, 'USER_NOT_FOUND');
    const [bob] = await users(api, 'bob');
    expectError(
      await api.get(`${V}/users/${bob.user.id}/mutual-groups?cursor=nope`, ann.token),
      400,
      'VALIDATION_FAILED',
    );
    expectError(await api.get(`${V}/users/${bob.user.id}/mutual-groups?limit=0`, ann.token), 400, 'VALIDATION_FAILED');
    expect((await api.get(`${V}/users/${bob.user.id}/mutual-groups`)).status).toBe(401);
  });

  it('badges count incoming friend requests and join requests to groups I administer', async () => {
    const { api } = s;
    const [own, adm, mem, x, y, z] = await users(api, 'own', 'adm', 'mem', 'x', 'y', 'z');
    const badges = async (u: { token: string }) => (await api.get(`${V}/me/badges`, u.token)).body;
    expect(await badges(own)).toEqual({ contactRequests: 0, joinRequests: 0 });

    const g = await groupWith(api, own, [adm, mem], { joinPolicy: 'approval' });
    expect((await api.patch(`${V}/groups/${g.id}/members/${adm.user.id}`, { role: 'admin' }, own.token)).status).toBe(
      200,
    );
    const join = async (u: { token: string }) => {
      const r = await api.post(`${V}/groups/${g.id}/join`, {}, u.token);
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      return r.body.request.id as string;
    };
    const rx = await join(x);
    const ry = await join(y);
    const friendReq = await api.post(`${V}/contacts/requests`, { userId: own.user.id }, z.token);
    expect(friendReq.status).toBe(201);

    expect(await badges(own)).toEqual({ contactRequests: 1, joinRequests: 2 });
    expect(await badges(adm)).toEqual({ contactRequests: 0, joinRequests: 2 });
    expect(await badges(mem)).toEqual({ contactRequests: 0, joinRequests: 0 });
    // The one who sent the request counts nothing for it.
    expect(await badges(z)).toEqual({ contactRequests: 0, joinRequests: 0 });

    // Answered requests stop counting, for every admin.
    expect((await api.post(`${V}/groups/${g.id}/requests/${rx}/accept`, {}, adm.token)).status).toBe(200);
    expect(await badges(own)).toEqual({ contactRequests: 1, joinRequests: 1 });
    expect((await api.post(`${V}/contacts/requests/${friendReq.body.id}/decline`, {}, own.token)).status).toBe(200);
    expect(await badges(own)).toEqual({ contactRequests: 0, joinRequests: 1 });

    // A request from someone I blocked is not shown to me, so it is not counted for me.
    expect((await api.put(`${V}/blocks/${y.user.id}`, {}, adm.token)).status).toBe(200);
    expect(await badges(adm)).toEqual({ contactRequests: 0, joinRequests: 0 });
    expect(await badges(own)).toEqual({ contactRequests: 0, joinRequests: 1 });
    expect((await api.post(`${V}/groups/${g.id}/requests/${ry}/decline`, {}, own.token)).status).toBe(200);
    expect(await badges(own)).toEqual({ contactRequests: 0, joinRequests: 0 });

    // A dissolved group's requests count for nobody.
    const g2 = await groupWith(api, own, [], { joinPolicy: 'approval' });
    expect((await api.post(`${V}/groups/${g2.id}/join`, {}, x.token)).status).toBe(202);
    expect((await badges(own)).joinRequests).toBe(1);
    expect((await api.delete(`${V}/groups/${g2.id}`, own.token)).status).toBe(200);
    expect((await badges(own)).joinRequests).toBe(0);
    await befriend(api, own, z);
  });
});
