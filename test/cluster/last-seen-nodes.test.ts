import type { ParleyClient } from '@parley/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { testDialects } from '../support/databases.js';
import { RedisServer } from '../support/redis-server.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { connectClient, until } from '../support/ws-clients.js';

/** Last seen across two nodes sharing a database and Redis: the last device anywhere counts, once. */
describe.each(testDialects())('last seen on two nodes (%s)', (dialect) => {
  let redis: RedisServer;
  let a: TestServer, b: TestServer;
  const open: ParleyClient[] = [];
  const cfg = (nodeId: string): Partial<Config> => ({
    redis: redis.url,
    redisPrefix: 'ls1:',
    redisTimeout: 1000,
    presenceTtl: 900,
    nodeId,
  });
  beforeAll(async () => {
    redis = await RedisServer.start();
    a = await startServer({ dialect, config: cfg('node-a') });
    b = await startServer({ db: a.db, config: cfg('node-b') });
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await b?.close();
    await a?.close();
    await redis?.stop();
  });

  it('a device closing on one node while another is open on the other records nothing; the last one records once', async () => {
    const ann = await registerUser(a.api, 'ann');
    const bob = await registerUser(a.api, 'bob');
    const r = await a.api.post('/api/v1/contacts/requests', { userId: bob.user.id }, ann.token);
    expect((await b.api.post(`/api/v1/contacts/requests/${r.body.id}/accept`, {}, bob.token)).status).toBe(200);

    const watcher = await connectClient(a.url, bob.token);
    open.push(watcher);
    const frames: { online: boolean; lastSeenAt?: number }[] = [];
    watcher.on('presence', (p) => p.userId === ann.user.id && frames.push(p));
    const onA = await connectClient(a.url, ann.token);
    const onB = await connectClient(b.url, ann.token);
    open.push(onA, onB);
    await until(() => frames.some((f) => f.online), 5000, 'online');

    onA.close();
    await new Promise((res) => setTimeout(res, 400));
    const seen = async () =>
      (
        await a.app.store.conn.db
          .selectFrom('users')
          .select('last_seen_at')
          .where('id', '=', ann.user.id)
          .executeTakeFirst()
      )?.last_seen_at ?? null;
    expect(await seen()).toBeNull();
    expect(frames.filter((f) => !f.online)).toEqual([]);

    const before = Date.now();
    onB.close();
    await until(() => frames.some((f) => !f.online), 5000, 'offline');
    const at = Number(await seen());
    expect(at).toBeGreaterThanOrEqual(before);
    expect(frames.filter((f) => !f.online)).toEqual([
      { type: 'presence', userId: ann.user.id, online: false, lastSeenAt: at },
    ]);
    // Either node answers the same.
    for (const s of [a, b]) {
      const v = await s.api.get(`/api/v1/users/${ann.user.id}/last-seen`, bob.token);
      expect(v.body).toEqual({ userId: ann.user.id, lastSeenAt: at, online: false });
    }
  });
});
