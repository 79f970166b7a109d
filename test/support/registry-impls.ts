import type { Redis } from 'ioredis';
import { MemoryConnectionCounter, type RegistryConnectionCounter } from '../../src/bus/connection-counter.js';
import { MemoryRegistryHub } from '../../src/bus/memory-conn-registry.js';
import { MemoryPresence, type RegistryPresence } from '../../src/bus/presence.js';
import { closeRedis, openRedis, redisReady } from '../../src/bus/redis-client.js';
import { RedisConnectionCounter, RedisPresence } from '../../src/bus/redis-presence.js';
import { ManualClock } from '../../src/domain/clock.js';
import { TEST_REDIS_URL, deletePrefix, sleep, uniquePrefix } from './redis.js';

/** A cluster of in-process "nodes" sharing one registry backend, for the conformance suites. */
export interface RegistryCluster {
  presence(): RegistryPresence;
  counter(): RegistryConnectionCounter;
  /** Resolves when every node made so far can reach its backend. */
  ready(): Promise<void>;
  /** Lets time pass: the manual clock for memory, real (short) time for Redis. */
  passTime(ms: number): Promise<void>;
  cleanup(): Promise<void>;
}

export interface RegistryImpl {
  name: string;
  cluster(ttlMs: number): RegistryCluster;
}

export const memoryRegistry: RegistryImpl = {
  name: 'memory',
  cluster(ttlMs) {
    const clock = new ManualClock();
    const hub = new MemoryRegistryHub(clock, ttlMs);
    const nodes: { halt(): void }[] = [];
    const add = <T extends { halt(): void }>(n: T) => (nodes.push(n), n);
    return {
      presence: () => add(new MemoryPresence({ hub, nodeId: `n${nodes.length}` })),
      counter: () => add(new MemoryConnectionCounter({ hub, nodeId: `n${nodes.length}` })),
      ready: async () => {},
      async passTime(ms) {
        // In steps, so every timer fires at its time and its sweep settles.
        for (let t = 0; t < ms; t += 10) {
          clock.advance(Math.min(10, ms - t));
          await new Promise((r) => setImmediate(r));
        }
      },
      async cleanup() {
        for (const n of nodes) n.halt();
      },
    };
  },
};

export const redisRegistry: RegistryImpl = {
  name: 'redis',
  cluster(ttlMs) {
    const prefix = uniquePrefix('reg');
    const clients: Redis[] = [];
    const nodes: { halt(): void }[] = [];
    // Each node has its own connection, as separate processes would.
    const opts = () => {
      const client = openRedis({ url: TEST_REDIS_URL, prefix }, `test-${nodes.length}`);
      clients.push(client);
      return { client, prefix, ttlMs, nodeId: `n${nodes.length}` };
    };
    const add = <T extends { halt(): void }>(n: T) => (nodes.push(n), n);
    return {
      presence: () => add(new RedisPresence(opts())),
      counter: () => add(new RedisConnectionCounter(opts())),
      ready: () => Promise.all(clients.map((c) => redisReady(c, 5000))).then(() => {}),
      passTime: sleep,
      async cleanup() {
        for (const n of nodes) n.halt();
        for (const c of clients) await closeRedis(c);
        await deletePrefix(prefix);
      },
    };
  },
};
