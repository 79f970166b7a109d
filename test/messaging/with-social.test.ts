/*
 * Messaging against the REAL contacts/groups service (branch `social`): friend request → DM,
 * group create/add/leave → live topics, system entries, events. It needs the social routes, so
 * on the `messaging` branch alone it is not run (the name does not end in .test.ts). After the
 * merge, rename it to `with-social.test.ts` (it passed on a local merge of both branches).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient, Entry, UserEvent } from '@parley/client';
import { testDialects } from '../support/databases.js';
import { DeliveryChecker } from '../support/delivery-checker.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { connectClient, until } from '../support/ws-clients.js';

describe.each(testDialects())('messaging with the real contacts/groups service on %s', (dialect) => {
  let s: TestServer;
  const open: ParleyClient[] = [];
  beforeAll(async () => {
    s = await startServer({ dialect });
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await s?.close();
  });

  it('friend request → DM; group create/add/leave → live topics, system entries, events', async () => {
    const a = await registerUser(s.api, 'a');
    const b = await registerUser(s.api, 'b');
    const c = await registerUser(s.api, 'c');
    const events: UserEvent[] = [];
    const checker = new DeliveryChecker();
    const ca = await connectClient(s.url, a.token, 'json', {}, (x) => checker.attach('a', a.user.id, x));
    const cb = await connectClient(s.url, b.token, 'msgpack', {}, (x) => {
      checker.attach('b', b.user.id, x);
      x.on('event', (e) => events.push(e));
    });
    open.push(ca, cb);
    const req = await s.api.post('/api/v1/contacts/requests', { userId: b.user.id }, a.token);
    expect(req.status).toBe(201);
    await until(() => events.length >= 1, 5000, 'request event');
    const acc = await s.api.post(`/api/v1/contacts/requests/${req.body.id}/accept`, {}, b.token);
    expect(acc.status).toBe(200);
    const dm = acc.body.friend.conversation;
    await ca.send({ to: dm, kind: 'text', text: 'hi friend' });
    const g = await s.api.post('/api/v1/groups', { name: 'grp', userIds: [b.user.id] }, a.token);
    expect(g.status, JSON.stringify(g.body)).toBe(201);
    const gid = g.body.conversation;
    await ca.send({ to: gid, kind: 'text', text: 'hello group' });
    const seenB: Entry[] = [];
    cb.on('message', (e) => seenB.push(e));
    await cb.send({ to: gid, kind: 'text', text: 'b here' });
    const cc = await connectClient(s.url, c.token, 'json', {}, (x) => checker.attach('c', c.user.id, x));
    open.push(cc);
    await s.api.post('/api/v1/contacts/requests', { userId: c.user.id }, a.token).then(async (r) => {
      const rs = await s.api.get('/api/v1/contacts/requests?direction=in', c.token);
      await s.api.post(`/api/v1/contacts/requests/${rs.body.items[0].id}/accept`, {}, c.token);
      return r;
    });
    const add = await s.api.post(`/api/v1/groups/${g.body.id}/members`, { userIds: [c.user.id] }, a.token);
    expect(add.status, JSON.stringify(add.body)).toBeLessThan(300);
    await until(() => cc.lastSeq(gid) !== undefined, 5000, 'c sees the group');
    const seenC: Entry[] = [];
    cc.on('message', (e) => seenC.push(e));
    await ca.send({ to: gid, kind: 'text', text: 'welcome c' });
    await until(() => seenC.some((e) => e.text === 'welcome c'), 5000, 'c gets live group message');
    const leave = await s.api.post(`/api/v1/groups/${g.body.id}/leave`, {}, b.token);
    expect(leave.status, JSON.stringify(leave.body)).toBeLessThan(300);
    await expect(cb.send({ to: gid, kind: 'text', text: 'after leaving' })).rejects.toMatchObject({
      code: 'NOT_A_MEMBER',
    });
    await new Promise((r) => setTimeout(r, 300));
    // C joined after seq 3: it sees its own join entry and what followed, nothing before.
    expect(Math.min(...seenC.map((e) => e.seq))).toBeGreaterThanOrEqual(4);
    expect(seenC.some((e) => e.kind === 'system')).toBe(true);
    const members = { [dm]: [a.user.id, b.user.id] };
    await checker.settle(members);
    checker.verify(members);
    const list = await s.api.get('/api/v1/conversations', a.token);
    expect(list.body.items.map((x: any) => x.id)).toEqual(expect.arrayContaining([dm, gid]));
  });
});
