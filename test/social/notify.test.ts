import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusMessage } from '../../src/bus/bus.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, startServer } from '../support/server.js';
import { V, befriend, expectError, users } from './helpers.js';

/** What reached the bus after each change: cache invalidations, topic moves, frames, in order. */
describe.each(testDialects())('contacts and groups publish after commit on %s', (dialect) => {
  let s: TestServer;
  const seen: { topic: string; msg: BusMessage }[] = [];
  beforeAll(async () => {
    s = await startServer({ dialect });
    s.app.bus.onMessage((topic, msg) => seen.push({ topic, msg }));
    await s.app.bus.subscribe('cluster');
  });
  afterAll(async () => {
    await s?.close();
  });

  const frames = (topic: string) =>
    seen
      .filter((x) => x.topic === topic && x.msg.type === 'frames')
      .map((x) => JSON.parse((x.msg as { json: string }).json));
  const invalidated = () => seen.flatMap((x) => (x.msg.type === 'invalidate' ? x.msg.keys : []));

  it('friend request and accept: events to both users, caches dropped for both', async () => {
    const [a, b] = await users(s.api, 'na', 'nb');
    for (const u of [a, b]) await s.app.bus.subscribe(`user:${u.user.id}`);
    seen.length = 0;
    const r = await s.api.post(`${V}/contacts/requests`, { userId: b.user.id }, a.token);
    await s.api.post(`${V}/contacts/requests/${r.body.id}/accept`, {}, b.token);
    expect(frames(`user:${b.user.id}`).map((f) => [f.type, f.event.kind])).toEqual([
      ['event', 'contact.request'],
      ['event', 'contact.accepted'],
    ]);
    expect(frames(`user:${a.user.id}`).at(-1).event.payload.friend.id).toBe(b.user.id);
    expect(invalidated()).toEqual(expect.arrayContaining([`user:${a.user.id}`, `user:${b.user.id}`]));

    seen.length = 0;
    await s.api.put(`${V}/blocks/${a.user.id}`, {}, b.token);
    expect(invalidated()).toEqual(expect.arrayContaining([`user:${a.user.id}`, `user:${b.user.id}`]));
    // The blocked user's devices hear nothing about it.
    expect(frames(`user:${a.user.id}`)).toEqual([]);
  });

  it('membership changes: join topic, entries on the group topic, then leave topic after the exit entry', async () => {
    const [o, m] = await users(s.api, 'no', 'nm');
    await befriend(s.api, o, m);
    const g = await s.api.post(`${V}/groups`, { name: 'notify' }, o.token);
    const gid = g.body.id as string;
    await s.app.bus.subscribe(`group:${gid}`);
    await s.app.bus.subscribe(`user:${m.user.id}`);
    seen.length = 0;
    await s.api.post(`${V}/groups/${gid}/members`, { userIds: [m.user.id] }, o.token);
    const joinAt = seen.findIndex(
      (x) => x.msg.type === 'topic.join' && x.msg.userId === m.user.id && x.msg.topic === `group:${gid}`,
    );
    const entryAt = seen.findIndex((x) => x.topic === `group:${gid}` && x.msg.type === 'frames');
    expect(joinAt).toBeGreaterThanOrEqual(0);
    expect(entryAt).toBeGreaterThan(joinAt);
    expect(frames(`group:${gid}`)[0]).toMatchObject({
      type: 'message',
      entry: { conversation: `g:${gid}`, kind: 'system', system: { action: 'added', users: [m.user.id] } },
    });
    expect(frames(`user:${m.user.id}`)[0]).toMatchObject({
      type: 'event',
      event: { kind: 'group.added', payload: { group: { id: gid } } },
    });
    expect(invalidated()).toEqual(expect.arrayContaining([`group:${gid}`, `user:${m.user.id}`]));

    seen.length = 0;
    expect((await s.api.delete(`${V}/groups/${gid}/members/${m.user.id}`, o.token)).status).toBe(200);
    const removedAt = seen.findIndex((x) => x.topic === `group:${gid}` && x.msg.type === 'frames');
    const leaveAt = seen.findIndex((x) => x.msg.type === 'topic.leave' && x.msg.userId === m.user.id);
    expect(removedAt).toBeGreaterThanOrEqual(0);
    expect(leaveAt).toBeGreaterThan(removedAt);
    expect(invalidated()).toEqual(expect.arrayContaining([`group:${gid}`, `user:${m.user.id}`]));
    expectError(await s.api.get(`${V}/groups/${gid}/members`, m.token), 403, 'NOT_A_MEMBER');
  });
});
