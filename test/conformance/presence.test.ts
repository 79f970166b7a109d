import { afterEach, describe, expect, it } from 'vitest';
import type { RegistryPresence } from '../../src/bus/presence.js';
import { type RegistryCluster, memoryRegistry, redisRegistry } from '../support/registry-impls.js';
import { redisForTests, until } from '../support/redis.js';

const impls = [memoryRegistry, ...((await redisForTests('presence conformance')) ? [redisRegistry] : [])];
const TTL = 800; // generous: a loaded machine must not stall a live node past it

/** Every offline report a node makes through onChange. */
function reports(p: RegistryPresence) {
  const offline: string[] = [];
  const online: string[] = [];
  p.onChange((users, isOnline) => (isOnline ? online : offline).push(...users));
  return { offline, online };
}

describe.each(impls)('Presence conformance: $name', (impl) => {
  let cluster: RegistryCluster;
  const open: RegistryPresence[] = [];
  const nodes = async (n: number) => {
    cluster = impl.cluster(TTL);
    const out = Array.from({ length: n }, () => cluster.presence());
    open.push(...out);
    await cluster.ready();
    return out;
  };
  afterEach(async () => {
    for (const p of open.splice(0)) await p.close().catch(() => {});
    await cluster.cleanup();
  });

  it('reports the first and last transitions of one user', async () => {
    const [a] = await nodes(1);
    expect(await a!.online(['u1'])).toEqual(new Set());
    expect(await a!.connect('u1', 'c1')).toBe(true);
    expect(await a!.online(['u1'])).toEqual(new Set(['u1']));
    expect(await a!.connect('u1', 'c1')).toBe(false); // same connection again: no transition
    expect(await a!.connect('u1', 'c2')).toBe(false);
    expect(await a!.disconnect('u1', 'c1')).toBe(false);
    expect(await a!.online(['u1'])).toEqual(new Set(['u1']));
    expect(await a!.disconnect('u1', 'c2')).toBe(true);
    expect(await a!.online(['u1'])).toEqual(new Set());
    expect(await a!.disconnect('u1', 'c2')).toBe(false); // unknown connection: no transition
  });

  it('counts devices on several nodes as one user', async () => {
    const [a, b] = await nodes(2);
    expect(await a!.connect('u', 'a1')).toBe(true);
    expect(await b!.connect('u', 'b1')).toBe(false);
    expect(await b!.online(['u'])).toEqual(new Set(['u']));
    expect(await a!.disconnect('u', 'a1')).toBe(false);
    expect(await a!.online(['u'])).toEqual(new Set(['u']));
    expect(await b!.disconnect('u', 'b1')).toBe(true);
    expect(await a!.online(['u'])).toEqual(new Set());
  });

  it('answers for many users at once', async () => {
    const [a, b] = await nodes(2);
    const users = Array.from({ length: 300 }, (_, i) => `user${i}`);
    for (const [i, u] of users.entries()) if (i % 3 === 0) await (i % 2 ? a : b)!.connect(u, `c${i}`);
    const on = await a!.online([...users, 'nobody']);
    expect([...on].sort()).toEqual(users.filter((_, i) => i % 3 === 0).sort());
  });

  it('gives the first-device transition to exactly one of two racing nodes', async () => {
    const [a, b] = await nodes(2);
    for (let i = 0; i < 20; i++) {
      const u = `race${i}`;
      const firsts = await Promise.all([a!.connect(u, 'ca'), b!.connect(u, 'cb')]);
      expect(firsts.filter(Boolean)).toHaveLength(1);
      const lasts = await Promise.all([a!.disconnect(u, 'ca'), b!.disconnect(u, 'cb')]);
      expect(lasts.filter(Boolean)).toHaveLength(1);
    }
  });

  it("takes a stopped node's users offline after the TTL and reports each once", async () => {
    const [dead, b, c] = await nodes(3);
    const rb = reports(b!),
      rc = reports(c!);
    await dead!.connect('only-dead', 'd1');
    await dead!.connect('only-dead', 'd2');
    await dead!.connect('both', 'd3');
    await b!.connect('both', 'b1');
    expect(await b!.online(['only-dead', 'both'])).toEqual(new Set(['only-dead', 'both']));
    dead!.halt(); // like a killed process: no cleanup, no more heartbeats
    await cluster.passTime(TTL * 2);
    await until(async () => [...rb.offline, ...rc.offline].includes('only-dead'), 'the offline report', 5000);
    await cluster.passTime(TTL);
    expect(await c!.online(['only-dead', 'both'])).toEqual(new Set(['both']));
    expect([...rb.offline, ...rc.offline]).toEqual(['only-dead']);
    // The user comes back on a live node: a fresh first transition.
    expect(await c!.connect('only-dead', 'c1')).toBe(true);
    expect(await b!.disconnect('both', 'b1')).toBe(true);
  });

  it("keeps a live node's users online for as long as it refreshes", async () => {
    const [a, b] = await nodes(2);
    const rb = reports(b!);
    await a!.connect('steady', 's1');
    await cluster.passTime(TTL * 2);
    expect(await b!.online(['steady'])).toEqual(new Set(['steady']));
    expect(rb.offline).toEqual([]);
  });

  it('a node closed gracefully has its users reported offline without waiting for the TTL', async () => {
    const [a, b] = await nodes(2);
    const rb = reports(b!);
    await a!.connect('leaving', 'l1');
    await a!.close();
    expect(await b!.online(['leaving'])).toEqual(new Set());
    // b's own timed sweep may run first; either way the user is reported offline exactly once.
    const swept = await b!.sweep();
    expect(swept.length === 0 || (swept.length === 1 && swept[0] === 'leaving')).toBe(true);
    await until(() => rb.offline.length > 0, 'the offline report', 2000);
    expect(rb.offline).toEqual(['leaving']);
  });
});
