import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BusMessage } from '../../src/bus/bus.js';
import { closeRedis, openRedis, redisReady, type RedisOptions } from '../../src/bus/redis-client.js';
import { RedisBus } from '../../src/bus/redis-bus.js';
import { RedisRateLimiter } from '../../src/bus/redis-rate-limiter.js';
import { RedisConnectionCounter, RedisPresence } from '../../src/bus/redis-presence.js';
import { RedisServer } from '../support/redis-server.js';
import { sleep, until } from '../support/redis.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/**
 * Redis goes away and comes back, on a private redis-server (never the machine's shared one):
 * every Redis-backed part notices, fails fast meanwhile, and recovers by itself.
 */
const TTL = 900;
const fast = { retryMaxMs: 100, commandTimeoutMs: 300, pingIntervalMs: 150 };

/** Rejects if `p` has not settled within `ms`: "fails fast" means it does not hang or queue. */
function settlesWithin<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    p,
    sleep(ms).then(() => {
      throw new Error(`still pending after ${ms} ms`);
    }),
  ]);
}

/** One node's Redis-backed parts, as app.ts wires them. */
function node(url: string, prefix: string, nodeId: string) {
  const opts: RedisOptions = { url, prefix, ...fast };
  const bus = new RedisBus(opts);
  const client: Redis = openRedis(opts, `cmd-${nodeId}`);
  const presence = new RedisPresence({ client, prefix, ttlMs: TTL, nodeId });
  const counter = new RedisConnectionCounter({ client, prefix, ttlMs: TTL, nodeId });
  const limiter = new RedisRateLimiter({ client, prefix });
  const got: { topic: string; msg: BusMessage }[] = [];
  bus.onMessage((topic, msg) => got.push({ topic, msg }));
  const changes: { users: string[]; online: boolean }[] = [];
  presence.onChange((users, online) => changes.push({ users, online }));
  const received = (topic: string) =>
    got.filter((g) => g.topic === topic).map((g) => (g.msg as { keys: string[] }).keys[0]);
  return {
    bus,
    client,
    presence,
    counter,
    limiter,
    changes,
    received,
    async ready() {
      await bus.whenHealthy(5000);
      await redisReady(client, 5000);
    },
    async close() {
      await presence.close();
      await counter.close();
      await bus.close();
      await closeRedis(client);
    },
  };
}

const inv = (k: string): BusMessage => ({ type: 'invalidate', keys: [k] });

describe('Redis failure and recovery (private redis-server)', () => {
  let server: RedisServer;
  let nodes: ReturnType<typeof node>[] = [];
  beforeEach(async () => {
    server = await RedisServer.start();
  });
  afterEach(async () => {
    for (const n of nodes) await n.close();
    nodes = [];
    await server.stop();
  });

  it('Redis killed and restarted: unhealthy, fast failures, then everything recovers by itself', async () => {
    const a = node(server.url, 'p:', 'a'),
      b = node(server.url, 'p:', 'b');
    nodes = [a, b];
    await a.ready();
    await b.ready();
    await b.bus.subscribe('user:1');
    expect(await a.presence.connect('alice', 'a1')).toBe(true);
    expect(await a.counter.acquire('alice', 'a1', 2)).toBe(true);
    await a.bus.publish('user:1', inv('before'));
    await until(() => b.received('user:1').length === 1, 'delivery before the outage');

    const health: boolean[] = [];
    a.bus.onHealthChange((h) => health.push(h));
    await server.crash();
    await until(() => !a.bus.healthy && !b.bus.healthy, 'both buses unhealthy');
    expect(health).toEqual([false]);
    // Nothing is queued: each call fails at once with a clear error.
    await expect(settlesWithin(a.bus.publish('user:1', inv('lost')), 1000)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    await expect(settlesWithin(a.limiter.take('msg:alice', 10, 10), 1000)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    await expect(settlesWithin(a.presence.connect('bob', 'a2'), 1000)).rejects.toThrow();
    // The counter falls back to this node's own connections.
    expect(await settlesWithin(a.counter.acquire('alice', 'a2', 2), 1000)).toBe(true);
    expect(await settlesWithin(a.counter.acquire('alice', 'a3', 2), 1000)).toBe(false);
    // Subscribing during the outage is remembered and done on reconnect.
    await settlesWithin(b.bus.subscribe('user:2'), 1000);

    await server.restart(); // same port, empty: no keys, no subscriptions
    await a.bus.whenHealthy(10_000);
    await b.bus.whenHealthy(10_000);
    expect(health).toEqual([false, true]); // the gateway's cue to make its clients sync
    await a.bus.publish('user:1', inv('after'));
    await a.bus.publish('user:2', inv('new'));
    await until(
      () => b.received('user:1').includes('after') && b.received('user:2').includes('new'),
      're-subscribed delivery',
    );
    expect(b.received('user:1')).toEqual(['before', 'after']);

    // Presence re-registers from the node's own list, including the connect that failed.
    await until(
      () => a.changes.filter((c) => c.online).flatMap((c) => c.users).length >= 2,
      'presence re-registered',
      5000,
    );
    expect(
      a.changes
        .filter((c) => c.online)
        .flatMap((c) => c.users)
        .sort(),
    ).toEqual(['alice', 'bob']);
    expect(await b.presence.online(['alice', 'bob'])).toEqual(new Set(['alice', 'bob']));
    // The counter re-registers on its own heartbeat (the fallback admitted a2 meanwhile).
    await until(async () => (await b.counter.count('alice')) === 2, 'connection count re-registered', 5000);
    expect((await a.limiter.take('msg:alice', 10, 10)).ok).toBe(true);
  });

  it('one node cut off through a proxy: the others carry on, its users go offline, and it rejoins', async () => {
    const proxy = await TcpProxy.start({ port: server.port });
    try {
      const a = node(`redis://${proxy.url}`, 'q:', 'a'),
        b = node(server.url, 'q:', 'b');
      nodes = [a, b];
      await a.ready();
      await b.ready();
      await a.bus.subscribe('user:a');
      await b.bus.subscribe('user:b');
      expect(await a.presence.connect('carol', 'c1')).toBe(true);
      expect(await b.presence.online(['carol'])).toEqual(new Set(['carol']));

      await proxy.refuse();
      proxy.cut();
      await until(() => !a.bus.healthy, 'a unhealthy');
      expect(b.bus.healthy).toBe(true);
      await expect(settlesWithin(a.bus.publish('user:b', inv('x')), 1000)).rejects.toMatchObject({
        code: 'UNAVAILABLE',
      });
      // a's heartbeat lapses: b's sweep reports carol offline, once.
      await until(
        () => b.changes.some((c) => !c.online && c.users.includes('carol')),
        'carol reported offline by b',
        5000,
      );
      expect(await b.presence.online(['carol'])).toEqual(new Set());

      await proxy.restore();
      await a.bus.whenHealthy(10_000);
      // a re-registers carol and reports her back online (once Redis applied it, b sees it too).
      await until(
        () => a.changes.some((c) => c.online && c.users.includes('carol')),
        'a reports carol back online',
        5000,
      );
      expect(await b.presence.online(['carol'])).toEqual(new Set(['carol']));
      await b.bus.publish('user:a', inv('to-a'));
      await a.bus.publish('user:b', inv('to-b'));
      await until(
        () => a.received('user:a').includes('to-a') && b.received('user:b').includes('to-b'),
        'delivery both ways',
      );
      expect(proxy.accepted).toBeGreaterThan(2); // it really reconnected
    } finally {
      await proxy.close();
    }
  });

  it('a silent network (blackhole) is noticed by the PING watchdog, and recovered from', async () => {
    const proxy = await TcpProxy.start({ port: server.port });
    try {
      const a = node(`redis://${proxy.url}`, 'r:', 'a'),
        b = node(server.url, 'r:', 'b');
      nodes = [a, b];
      await a.ready();
      await b.ready();
      await a.bus.subscribe('user:a');
      proxy.blackhole();
      await until(() => !a.bus.healthy, 'a unhealthy through the watchdog', 5000);
      await expect(settlesWithin(a.bus.publish('user:a', inv('x')), 1000)).rejects.toMatchObject({
        code: 'UNAVAILABLE',
      });
      await proxy.restore();
      await a.bus.whenHealthy(10_000);
      await b.bus.publish('user:a', inv('back'));
      await until(() => a.received('user:a').includes('back'), 'delivery after the blackhole');
    } finally {
      await proxy.close();
    }
  });
});
