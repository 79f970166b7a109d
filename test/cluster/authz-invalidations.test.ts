import { describe, expect, it } from 'vitest';
import type { Bus } from '../../src/bus/bus.js';
import { MemoryBroker, MemoryBus } from '../../src/bus/memory-bus.js';
import { CLUSTER_TOPIC, userTopic } from '../../src/domain/topics.js';
import { AuthzCache, userFacts } from '../../src/services/authz-cache.js';
import { AuthzInvalidations } from '../../src/services/authz-invalidations.js';
import type { AuthzRepo } from '../../src/store/authz.js';

/** An AuthzRepo that answers from a map and counts its reads (what the cache saves). */
function countingRepo() {
  const friends = new Set<string>();
  const repo = {
    reads: 0,
    friends,
    async pair(a: string, b: string) {
      repo.reads++;
      return { friends: friends.has(`${a}|${b}`), blocked: false };
    },
    async membership() {
      repo.reads++;
      return null;
    },
    async group() {
      repo.reads++;
      return { exists: false, dissolved: false };
    },
    async groupIds() {
      return [];
    },
    async friendIds() {
      return [];
    },
    async blockers() {
      return [];
    },
    async blocked() {
      return [];
    },
  };
  return repo satisfies AuthzRepo;
}

/** A real MemoryBus whose health the test turns (a memory bus alone never goes down). */
function flakyBus(inner: MemoryBus) {
  const handlers: ((healthy: boolean) => void)[] = [];
  let healthy = true;
  const bus: Bus & { setHealthy(h: boolean): void } = {
    subscribe: (t) => inner.subscribe(t),
    unsubscribe: (t) => inner.unsubscribe(t),
    publish: (t, m) => inner.publish(t, m),
    onMessage: (h) => inner.onMessage(h),
    get healthy() {
      return healthy;
    },
    onHealthChange: (h) => {
      handlers.push(h);
    },
    close: () => inner.close(),
    setHealthy(h: boolean) {
      healthy = h;
      for (const f of handlers) f(h);
    },
  };
  return bus;
}

describe('AuthzInvalidations: the authorization cache follows the cluster on every role', () => {
  it('applies invalidate notices of the cluster topic published by another node, and only those', async () => {
    const broker = new MemoryBroker();
    const repo = countingRepo();
    const cache = new AuthzCache(repo);
    const here = new MemoryBus(broker);
    const other = new MemoryBus(broker);
    const inv = new AuthzInvalidations(here, cache);
    await inv.start();
    repo.friends.add('a|b');
    expect(await cache.pair('a', 'b')).toEqual({ friends: true, blocked: false });
    await cache.pair('a', 'b');
    expect(repo.reads).toBe(1);

    // The same notice on a user topic is not cluster control: nothing is dropped.
    await here.subscribe(userTopic('a'));
    await other.publish(userTopic('a'), { type: 'invalidate', keys: [userFacts('a')] });
    await cache.pair('a', 'b');
    expect(repo.reads).toBe(1);

    repo.friends.delete('a|b');
    await other.publish(CLUSTER_TOPIC, { type: 'invalidate', keys: [userFacts('b')] });
    expect(await cache.pair('a', 'b')).toEqual({ friends: false, blocked: false });
    expect(repo.reads).toBe(2);

    // Stopped, it no longer listens (the topic is unsubscribed): the stale answer stays.
    await inv.stop();
    repo.friends.add('a|b');
    await other.publish(CLUSTER_TOPIC, { type: 'invalidate', keys: [userFacts('a')] });
    expect(await cache.pair('a', 'b')).toEqual({ friends: false, blocked: false });
    expect(repo.reads).toBe(2);
    await here.close();
    await other.close();
  });

  it('bypasses the cache while the bus is down and starts over empty when it is back', async () => {
    const repo = countingRepo();
    const cache = new AuthzCache(repo);
    const bus = flakyBus(new MemoryBus());
    bus.setHealthy(false);
    const inv = new AuthzInvalidations(bus, cache);
    await inv.start();
    // Down at start: nothing is cached, every lookup reads the store.
    await cache.pair('a', 'b');
    await cache.pair('a', 'b');
    expect(repo.reads).toBe(2);

    bus.setHealthy(true);
    await cache.pair('a', 'b');
    await cache.pair('a', 'b');
    expect(repo.reads).toBe(3);

    // An outage: notices may be lost, so the cache is neither trusted nor filled...
    repo.friends.add('a|b');
    bus.setHealthy(false);
    expect(await cache.pair('a', 'b')).toEqual({ friends: true, blocked: false });
    expect(repo.reads).toBe(4);
    repo.friends.delete('a|b');
    // ...and what it held before the outage does not survive it.
    bus.setHealthy(true);
    expect(await cache.pair('a', 'b')).toEqual({ friends: false, blocked: false });
    expect(repo.reads).toBe(5);
    await inv.stop();
    await bus.close();
  });
});
