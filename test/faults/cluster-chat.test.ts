import { afterEach, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import type { PresenceFrame, ReceiptFrame, TypingOutFrame } from '@parley/client';
import { type Cluster, startCluster } from '../support/cluster.js';
import { clusterDialects } from '../support/cluster-dialects.js';
import { until } from '../support/redis.js';
import { RawSocket } from '../support/ws-clients.js';
import { befriend, createGroup } from '../support/social-fixtures.js';

/**
 * Issue 7, fault test 1 (and 5): users on different nodes of one cluster (one database, one
 * private Redis) chat one-to-one and in a group; every message arrives once and in order on
 * every device (delivery checker); presence, typing and receipts cross nodes; concurrent
 * senders on three nodes into one group end with one gap-free sequence on every member.
 * Budget: 30 s per test (the vitest timeout below), about 5 s each on 2 cores.
 */
describe.each(clusterDialects())('cluster chat across nodes (%s)', (dialect) => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  it('one-to-one and group chat, presence, typing and receipts cross nodes; every message once, in order', {
    timeout: 30_000,
  }, async () => {
    const c = (cluster = await startCluster({ dialect, nodes: 3 }));
    const app = c.nodes[0]!.server!.app;
    const [a, b, d] = [await c.user('alice'), await c.user('bob'), await c.user('dora')];
    await befriend(app, a.id, b.id);
    const { cid: gid } = await createGroup(app, a.id, [b.id, d.id]);
    const dm = dmId(a.id, b.id);

    const ca = await c.client('alice@1', a, 0);
    const presence: PresenceFrame[] = [];
    ca.on('presence', (p) => presence.push(p));
    const cb = await c.client('bob@2', b, 1);
    const cd = await c.client('dora@3', d, 2);
    // Bob came online on node 2: Alice (node 1) is told, once.
    await until(() => presence.some((p) => p.userId === b.id && p.online), 'bob online at alice');

    // 50 concurrent sends each: DMs both ways, and the group from three nodes.
    const sends = [];
    for (let i = 0; i < 50; i++) {
      sends.push(ca.send({ to: dm, kind: 'text', text: `a${i}` }), cb.send({ to: dm, kind: 'text', text: `b${i}` }));
      for (const x of [ca, cb, cd]) sends.push(x.send({ to: gid, kind: 'text', text: `g${i}` }));
    }
    const acks = await Promise.all(sends);
    expect(acks).toHaveLength(250);
    const members = { [dm]: [a.id, b.id], [gid]: [a.id, b.id, d.id] };
    await c.checker.settle(members, 10_000);
    c.checker.verify(members);
    expect(c.checker.expected(dm)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(c.checker.expected(gid)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));

    // Typing: a DM reaches the peer on another node; a group reaches the others, not the typist.
    const typing: Record<string, TypingOutFrame[]> = { a: [], b: [], d: [] };
    ca.on('typing', (t) => typing.a!.push(t));
    cb.on('typing', (t) => typing.b!.push(t));
    cd.on('typing', (t) => typing.d!.push(t));
    ca.typing(dm);
    cd.typing(gid);
    await until(() => typing.b!.length === 2 && typing.a!.length === 1, 'typing across nodes');
    expect(typing.b!.map((t) => t.conversation).sort()).toEqual([dm, gid].sort());
    expect(typing.d).toEqual([]);

    // Receipts: Bob reads on node 2, Alice's device on node 1 gets the receipt.
    const receipts: ReceiptFrame[] = [];
    ca.on('receipt', (r) => receipts.push(r));
    cb.read(dm, 100);
    await until(() => receipts.some((r) => r.userId === b.id && r.seq === 100), 'receipt across nodes');

    // Bob's last device goes: Alice hears he is offline, exactly once.
    cb.close();
    await until(() => presence.some((p) => p.userId === b.id && !p.online), 'bob offline at alice');
    await new Promise((r) => setTimeout(r, 200));
    expect(presence.filter((p) => p.userId === b.id).map((p) => p.online)).toEqual([true, false]);
  });

  it('the per-user connection limit holds across nodes', { timeout: 30_000 }, async () => {
    const c = (cluster = await startCluster({ dialect, nodes: 3, config: { connectionsPerUser: 2 } }));
    const u = await c.user('many');
    await c.client('many@1', u, 0);
    await c.client('many@2', u, 1);
    // A third device on the third node is refused, although that node holds none: at the
    // upgrade (429) with a Bearer header, with 4008 when it authenticates by frame.
    await expect(RawSocket.open(c.nodes[2]!.url, { token: u.token })).rejects.toMatchObject({ status: 429 });
    const raw = await RawSocket.open(c.nodes[2]!.url);
    raw.send({ type: 'auth', token: u.token });
    const closed = await raw.closedWith(5000);
    expect(closed).toBe(4008);
  });

  it('concurrent senders on three nodes into one group: every member ends with the same gap-free sequence', {
    timeout: 30_000,
  }, async () => {
    const c = (cluster = await startCluster({ dialect, nodes: 3 }));
    const app = c.nodes[0]!.server!.app;
    const users = await Promise.all(Array.from({ length: 30 }, (_, i) => c.user(`s${i}`)));
    const { cid: gid } = await createGroup(
      app,
      users[0]!.id,
      users.slice(1).map((u) => u.id),
    );
    // 3 nodes × 10 members, each sending 30 messages at once: 900 messages.
    const clients = await Promise.all(users.map((u, i) => c.client(`s${i}`, u, i % 3)));
    const acks = await Promise.all(
      clients.flatMap((cl, i) =>
        Array.from({ length: 30 }, (_, k) => cl.send({ to: gid, kind: 'text', text: `${i}:${k}` })),
      ),
    );
    expect(new Set(acks.map((x) => x.seq)).size).toBe(900);
    const members = { [gid]: users.map((u) => u.id) };
    await c.checker.settle(members, 20_000);
    c.checker.verify(members);
    expect(c.checker.expected(gid)).toEqual(Array.from({ length: 900 }, (_, i) => i + 1));
  });
});
