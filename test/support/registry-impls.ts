import type { Redis } from 'ioredis';
import type { ConnRegistry } from '../../src/bus/conn-registry.js';
import { RegistryConnectionCounter } from '../../src/bus/connection-counter.js';
import {
  MemoryConnRegistry,
  MemoryRegistryHub,
  type MemoryRegistryOptions,
} from '../../src/bus/memory-conn-registry.js';
import { RegistryPresence } from '../../src/bus/presence.js';
import { closeRedis, openRedis, redisReady } from '../../src/bus/redis-client.js';
import { RedisConnRegistry, type RedisRegistryOptions } from '../../src/bus/redis-conn-registry.js';
import { ManualClock } from '../../src/domain/clock.js';
import { TEST_REDIS_URL, deletePrefix, sleep, uniquePrefix } from './redis.js';

/**
 * The registries with a kill switch the production contract does not have: `kill` stops a
 * node's heartbeat and sweeps with no cleanup, as if its process had died.
 */
class KillableMemoryRegistry extends MemoryConnRegistry {
  kill() {
    this.stop();
  }
}
class KillableRedisRegistry extends RedisConnRegistry {
  kill() {
    this.stop();
  }
}

/** A node of a test cluster: the production object, plus `halt()` to kill its registry. */
export type Killable<T> = T & { halt(): void };
const killable = <T>(make: (r: ConnRegistry) => T, registry: ConnRegistry & { kill(): void }): Killable<T> =>
  Object.assign(make(registry) as object, { halt: () => registry.kill() }) as Killable<T>;
const asPresence = (r: ConnRegistry) => new RegistryPresence(r);
const asCounter = (r: ConnRegistry) => new RegistryConnectionCounter(r);

/** A cluster of in-process "nodes" sharing one registry backend, for the conformance suites. */
export interface RegistryCluster {
  presence(): Killable<RegistryPresence>;
  counter(): Killable<RegistryConnectionCounter>;
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

const memory = (o: MemoryRegistryOptions) => new KillableMemoryRegistry(o);

export const memoryRegistry: RegistryImpl = {
  name: 'memory',
  cluster(ttlMs) {
    const clock = new ManualClock();
    const hub = new MemoryRegistryHub(clock, ttlMs);
    const nodes: { halt(): void }[] = [];
    const add = <T extends { halt(): void }>(n: T) => (nodes.push(n), n);
    return {
      presence: () => add(killable(asPresence, memory({ hub, nodeId: `n${nodes.length}` }))),
      counter: () => add(killable(asCounter, memory({ hub, nodeId: `n${nodes.length}` }))),
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
    const opts = (): Omit<RedisRegistryOptions, 'namespace'> => {
      const client = openRedis({ url: TEST_REDIS_URL, prefix }, `test-${nodes.length}`);
      clients.push(client);
      return { client, prefix, ttlMs, nodeId: `n${nodes.length}` };
    };
    const add = <T extends { halt(): void }>(n: T) => (nodes.push(n), n);
    return {
      // The namespaces RedisPresence and RedisConnectionCounter use.
      presence: () => add(killable(asPresence, new KillableRedisRegistry({ ...opts(), namespace: 'presence' }))),
      counter: () => add(killable(asCounter, new KillableRedisRegistry({ ...opts(), namespace: 'conns' }))),
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
