import { afterEach, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import type { AckFrame, ErrorFrame } from '@parley/client';
import { type Cluster, startCluster } from '../support/cluster.js';
import { clusterDialects } from '../support/cluster-dialects.js';
import { sleep, until } from '../support/redis.js';
import { befriend, createGroup } from '../support/social-fixtures.js';
import { RawSocket } from '../support/ws-clients.js';

/**
 * Issue 7, fault test 3: Redis goes away and comes back (a private redis-server, or one node's
 * proxy to it). Nodes reconnect by themselves; `/readyz` is 503 meanwhile and 200 after; a send
 * is either acknowledged and delivered to everyone (clients catch up: the node closes its
 * sockets with 1012 once its bus is back, and they reconnect and sync) or refused with
 * UNAVAILABLE, and a refused send never shows up anywhere.
 * Budget: 30 s per test.
 */
describe.each(clusterDialects())('Redis away and back under traffic (%s)', (dialect) => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  async function setup(c: Cluster) {
    const app = c.nodes[0]!.server!.app;
    const [a, b, d] = [await c.user('alice'), await c.user('bob'), await c.user('dora')];
    await befriend(app, a.id, b.id);
    const { cid: gid } = await createGroup(app, a.id, [b.id, d.id]);
    const dm = dmId(a.id, b.id);
    const ca = await c.client('alice@1', a, 0);
    const cb = await c.client('bob@2', b, 1);
    const cd = await c.client('dora@1', d, 0);
    const refusals: ErrorFrame[] = [];
    for (const x of [ca, cb, cd])
      x.on('error', (e) => {
        if (e.code === 'UNAVAILABLE') refusals.push(e);
      });
    const members = { [dm]: [a.id, b.id], [gid]: [a.id, b.id, d.id] };
    return { a, b, d, dm, gid, ca, cb, cd, refusals, members };
  }

  /** Sends from every client every 15 ms until stopped; acks are collected, never awaited here. */
  function traffic(s: Awaited<ReturnType<typeof setup>>) {
    const pending: Promise<AckFrame>[] = [];
    let stop = false;
    const done = (async () => {
      for (let i = 0; !stop; i++) {
        pending.push(
          s.ca.send({ to: s.dm, kind: 'text', text: `a${i}` }),
          s.cb.send({ to: s.gid, kind: 'text', text: `b${i}` }),
        );
        pending.push(s.cd.send({ to: s.gid, kind: 'text', text: `d${i}` }));
        await sleep(15);
      }
    })();
    return {
      pending,
      stop: async () => {
        stop = true;
        await done;
      },
    };
  }

  const ready = async (c: Cluster, i: number) => (await fetch(`${c.nodes[i]!.url}/readyz`)).status;

  it('Redis crashes and restarts empty: refused or acked-and-delivered, never acked and lost', {
    timeout: 30_000,
  }, async () => {
    const c = (cluster = await startCluster({ dialect, nodes: 2 }));
    const s = await setup(c);
    const t = traffic(s);
    await sleep(300);
    await c.redis.crash();
    await until(async () => (await ready(c, 0)) === 503 && (await ready(c, 1)) === 503, '/readyz 503 on both nodes');
    const body = await (await fetch(`${c.nodes[0]!.url}/readyz`)).json();
    expect(body.checks.bus).toEqual({ ok: false });
    expect(body.checks.store.ok).toBe(true);
    // A send during the outage is refused with a clear error, not acknowledged.
    const raw = await RawSocket.open(c.nodes[0]!.url, { token: s.a.token });
    await raw.next((f) => f.type === 'ready');
    raw.send({ type: 'send', clientId: 'refused-1', to: s.dm, kind: 'text', text: 'never stored' });
    const refused = await raw.next<ErrorFrame>((f) => f.type === 'error');
    expect(refused).toMatchObject({ code: 'UNAVAILABLE', clientId: 'refused-1' });
    await until(() => s.refusals.length > 0, 'clients see UNAVAILABLE refusals');
    await sleep(300);

    await c.redis.restart();
    await until(async () => (await ready(c, 0)) === 200 && (await ready(c, 1)) === 200, '/readyz 200 again', 10_000);
    // The node asks its sockets to reconnect and sync: frames of the outage were lost.
    expect(await raw.closedWith(5000)).toBe(1012);
    await sleep(300);
    await t.stop();
    const acks = await Promise.all(t.pending); // refused sends were retried (same clientId) and acked
    expect(acks.length).toBeGreaterThan(30);
    await c.checker.settle(s.members, 15_000);
    c.checker.verify(s.members);
    // The refused raw send was never stored.
    const hist = await c.api.get(`/api/v1/conversations/${s.dm}/messages?limit=200`, s.a.token);
    expect(hist.status).toBe(200);
    expect(hist.body.items.some((e: { clientId?: string }) => e.clientId === 'refused-1')).toBe(false);
    // After recovery, delivery is live again across nodes.
    const ack = await s.ca.send({ to: s.dm, kind: 'text', text: 'after' });
    await until(() => s.cb.lastSeq(s.dm) === ack.seq, 'live delivery after recovery');
  });

  it('one node cut off from Redis: the other keeps acking, the cut node catches its clients up when back', {
    timeout: 30_000,
  }, async () => {
    const c = (cluster = await startCluster({ dialect, nodes: 2 }));
    const s = await setup(c);
    const t = traffic(s);
    await sleep(300);
    const proxy = c.nodes[1]!.redisProxy;
    await proxy.refuse();
    proxy.cut();
    await until(async () => (await ready(c, 1)) === 503, 'node 2 unready');
    expect(await ready(c, 0)).toBe(200);
    // Node 1 still acks Alice's and Dora's sends; Bob (node 2) misses their live frames.
    const before = c.checker.expected(s.gid).length;
    await until(() => c.checker.expected(s.gid).length > before + 10, 'node 1 keeps acking');
    await proxy.restore();
    await until(async () => (await ready(c, 1)) === 200, 'node 2 ready again', 10_000);
    await sleep(300);
    await t.stop();
    await Promise.all(t.pending);
    await c.checker.settle(s.members, 15_000);
    c.checker.verify(s.members);
  });
});
