import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusMessage } from '../../src/bus/bus.js';
import { RedisConnectionCounter, RedisPresence } from '../../src/bus/redis-presence.js';
import { RedisBus } from '../../src/bus/redis-bus.js';
import { RedisRateLimiter } from '../../src/bus/redis-rate-limiter.js';
import type { Config } from '../../src/config.js';
import { testDialects } from '../support/databases.js';
import { RedisServer } from '../support/redis-server.js';
import { until } from '../support/redis.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { befriend } from '../support/social-fixtures.js';
import { connectClient } from '../support/ws-clients.js';
import { dmId } from '../../src/domain/conversation-id.js';

/** The composition root with PARLEY_REDIS: two nodes on one database and a private Redis. */
describe.each(testDialects())('app with Redis (%s)', (dialect) => {
  let redis: RedisServer;
  let a: TestServer, b: TestServer;
  const cfg = (extra: Partial<Config> = {}): Partial<Config> => ({
    redis: redis.url,
    redisPrefix: 'dep1:',
    redisTimeout: 1000,
    presenceTtl: 900,
    ...extra,
  });
  beforeAll(async () => {
    redis = await RedisServer.start();
    a = await startServer({ dialect, config: cfg({ nodeId: 'node-a' }) });
    b = await startServer({ db: a.db, config: cfg({ nodeId: 'node-b' }) });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await redis?.stop();
  });

  it('picks the Redis implementations and is ready', async () => {
    expect(a.app.bus).toBeInstanceOf(RedisBus);
    expect(a.app.presence).toBeInstanceOf(RedisPresence);
    expect(a.app.limiter).toBeInstanceOf(RedisRateLimiter);
    expect(a.app.connections).toBeInstanceOf(RedisConnectionCounter);
    expect(a.app.nodeId).toBe('node-a');
    const r = await a.api.get('/readyz');
    expect(r.status).toBe(200);
    expect(r.body.checks.bus).toEqual({ ok: true });
  });

  it('shares the database, the bus, presence, limits and connection counts between nodes', async () => {
    const u = await registerUser(a.api, 'shared');
    expect((await b.api.post('/api/v1/auth/login', { login: u.username, password: u.password })).status).toBe(200);

    const got: BusMessage[] = [];
    b.app.bus.onMessage((topic, msg) => {
      if (topic === `user:${u.user.id}`) got.push(msg);
    });
    await b.app.bus.subscribe(`user:${u.user.id}`);
    await a.app.bus.publish(`user:${u.user.id}`, { type: 'invalidate', keys: ['k'] });
    await until(() => got.length === 1, 'cross-node delivery');

    // Every node listens on the cluster topic from the start (authorization cache invalidations).
    const notices: BusMessage[] = [];
    b.app.bus.onMessage((topic, msg) => {
      if (topic === 'cluster') notices.push(msg);
    });
    await a.app.bus.publish('cluster', { type: 'invalidate', keys: [`user:${u.user.id}`] });
    await until(() => notices.length === 1, 'cluster notice on the other node');

    expect(await a.app.presence.connect(u.user.id, 'ca')).toBe(true);
    expect(await b.app.presence.online([u.user.id])).toEqual(new Set([u.user.id]));
    expect(await b.app.presence.connect(u.user.id, 'cb')).toBe(false);

    expect((await a.app.limiter.take(`msg:${u.user.id}`, 1, 2)).ok).toBe(true);
    expect((await a.app.limiter.take(`msg:${u.user.id}`, 1, 2)).ok).toBe(true);
    expect((await b.app.limiter.take(`msg:${u.user.id}`, 1, 2)).ok).toBe(false);

    expect(await a.app.connections.acquire(u.user.id, 'ca', 1)).toBe(true);
    expect(await b.app.connections.acquire(u.user.id, 'cb', 1)).toBe(false);
    await a.app.connections.release(u.user.id, 'ca');
    expect(await b.app.connections.acquire(u.user.id, 'cb', 1)).toBe(true);
  });

  it('carries a live message across nodes to JSON and MessagePack sockets alike', async () => {
    const x = await registerUser(a.api, 'mixa');
    const y = await registerUser(a.api, 'mixb');
    await befriend(a.app, x.user.id, y.user.id);
    const onA = await connectClient(a.url, x.token, 'json');
    const onB = await connectClient(b.url, y.token, 'msgpack');
    const onB2 = await connectClient(b.url, y.token, 'json');
    try {
      const seen: string[] = [];
      for (const [who, c] of [
        ['b:msgpack', onB],
        ['b:json', onB2],
        ['a:json', onA],
      ] as const)
        c.on('message', (e) => seen.push(`${who} ${e.text}`));
      await onA.send({ to: dmId(x.user.id, y.user.id), kind: 'text', text: 'über 🚀' });
      await onB.send({ to: dmId(x.user.id, y.user.id), kind: 'text', text: 'back' });
      await until(() => seen.length === 6, 'both messages on all three sockets');
      expect(seen.sort()).toEqual(
        [
          'a:json back',
          'a:json über 🚀',
          'b:json back',
          'b:json über 🚀',
          'b:msgpack back',
          'b:msgpack über 🚀',
        ].sort(),
      );
    } finally {
      for (const c of [onA, onB, onB2]) c.close();
    }
  });

  it('keeps deployments with different prefixes apart on one Redis', async () => {
    const other = await startServer({ db: a.db, config: cfg({ redisPrefix: 'dep2:' }) });
    try {
      const seen: string[] = [];
      a.app.bus.onMessage((topic) => seen.push(topic));
      await a.app.bus.subscribe('user:iso');
      await other.app.bus.subscribe('user:iso');
      await other.app.bus.publish('user:iso', { type: 'invalidate', keys: ['other'] });
      await a.app.bus.publish('user:iso', { type: 'invalidate', keys: ['mine'] });
      await until(() => seen.includes('user:iso'), 'own delivery');
      expect(seen.filter((t) => t === 'user:iso')).toHaveLength(1);
      expect(await other.app.presence.online(['nobody'])).toEqual(new Set());
    } finally {
      await other.close();
    }
  });

  it('/readyz reports Redis going away and coming back', async () => {
    await redis.crash();
    await until(async () => (await a.api.get('/readyz')).status === 503, 'a unready');
    const r = await b.api.get('/readyz');
    expect(r.status).toBe(503);
    expect(r.body.checks.bus.ok).toBe(false);
    expect(r.body.checks.store.ok).toBe(true);
    expect((await b.api.get('/healthz')).status).toBe(200); // alive, just not ready
    await redis.restart();
    await until(
      async () => (await a.api.get('/readyz')).status === 200 && (await b.api.get('/readyz')).status === 200,
      'both ready again',
      10_000,
    );
  });
});
