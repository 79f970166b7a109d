import { afterEach, describe, expect, it } from 'vitest';
import type { RegistryConnectionCounter } from '../../src/bus/connection-counter.js';
import { type RegistryCluster, memoryRegistry, redisRegistry } from '../support/registry-impls.js';
import { redisForTests } from '../support/redis.js';

const impls = [memoryRegistry, ...((await redisForTests('connection counter conformance')) ? [redisRegistry] : [])];
const TTL = 800; // generous: a loaded machine must not stall a live node past it

describe.each(impls)('ConnectionCounter conformance: $name', (impl) => {
  let cluster: RegistryCluster;
  const open: RegistryConnectionCounter[] = [];
  const nodes = async (n: number) => {
    cluster = impl.cluster(TTL);
    const out = Array.from({ length: n }, () => cluster.counter());
    open.push(...out);
    await cluster.ready();
    return out;
  };
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close().catch(() => {});
    await cluster.cleanup();
  });

  it('holds the limit across nodes and frees slots on release', async () => {
    const [a, b] = await nodes(2);
    expect(await a!.acquire('u', 'a1', 3)).toBe(true);
    expect(await b!.acquire('u', 'b1', 3)).toBe(true);
    expect(await a!.acquire('u', 'a2', 3)).toBe(true);
    expect(await b!.acquire('u', 'b2', 3)).toBe(false);
    expect(await a!.count('u')).toBe(3);
    expect(await a!.acquire('u', 'a2', 3)).toBe(true); // already held: still fine
    expect(await a!.count('u')).toBe(3);
    await a!.release('u', 'a1');
    await a!.release('u', 'nope'); // unknown: no-op
    expect(await b!.count('u')).toBe(2);
    expect(await b!.acquire('u', 'b2', 3)).toBe(true);
    expect(await b!.acquire('v', 'b3', 3)).toBe(true); // other users are apart
    expect(await b!.count('v')).toBe(1);
  });

  it('lets exactly `limit` of many racing acquires through', async () => {
    const [a, b] = await nodes(2);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b)!.acquire('r', `c${i}`, 4)));
    expect(results.filter(Boolean)).toHaveLength(4);
    expect(await a!.count('r')).toBe(4);
  });

  it("stops counting a dead node's connections after the TTL", async () => {
    const [dead, b] = await nodes(2);
    expect(await dead!.acquire('d', 'x1', 2)).toBe(true);
    expect(await dead!.acquire('d', 'x2', 2)).toBe(true);
    expect(await b!.acquire('d', 'b1', 2)).toBe(false);
    dead!.halt();
    await cluster.passTime(TTL * 2);
    expect(await b!.count('d')).toBe(0);
    expect(await b!.acquire('d', 'b1', 2)).toBe(true);
    expect(await b!.acquire('d', 'b2', 2)).toBe(true);
    expect(await b!.acquire('d', 'b3', 2)).toBe(false);
  });
});
