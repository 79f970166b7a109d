import { afterEach, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import type { AckFrame, PresenceFrame } from '@parley/client';
import { type Cluster, FAULT_TIMINGS, startCluster } from '../support/cluster.js';
import { clusterDialects, serverDialectsOrReason } from '../support/cluster-dialects.js';
import type { DialectName } from '../../src/store/db.js';
import { sleep, until } from '../support/redis.js';
import { befriend, createGroup } from '../support/social-fixtures.js';

/**
 * Issue 7, fault test 2: SIGKILL one node (a real child process) while its users are sending.
 * They fail over to the next URL of their list, resend what was not acknowledged with the same
 * clientId (the server dedups), sync, and every device ends with every acknowledged message
 * exactly once, in order. A user who only knew the dead node is announced offline to their
 * contacts once, by another node's sweep, within the presence TTL.
 * Budget: 45 s (a node process takes a few seconds to start under tsx).
 */
const dialects = clusterDialects({ serverOnly: true });

describe.each(serverDialectsOrReason())('SIGKILL a node while its users send (%s)', (dialect) => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  // A node process and in-process nodes writing one SQLite file fail with SQLITE_BUSY: server databases only.
  it.skipIf(!dialects.length)(
    'clients fail over, resend with the same clientId, sync; every acked message exactly once',
    { timeout: 45_000 },
    async () => {
      const c = (cluster = await startCluster({ dialect: dialect as DialectName, nodes: 3, processes: [1] }));
      const app = c.nodes[0]!.server!.app;
      const [p, s1, s2, zed] = [
        await c.user('peer'),
        await c.user('send1'),
        await c.user('send2'),
        await c.user('zed'),
      ];
      for (const u of [s1, s2, zed]) await befriend(app, p.id, u.id);
      const { cid: gid } = await createGroup(app, p.id, [s1.id, s2.id]);
      const dm1 = dmId(p.id, s1.id);

      const cp = await c.client('peer@1', p, 0);
      const presence: PresenceFrame[] = [];
      cp.on('presence', (f) => presence.push(f));
      // Senders on node 2 (the process), failing over to node 3 then node 1.
      const c1 = await c.client('send1@2', s1, 1);
      const c2 = await c.client('send2@2', s2, 1);
      // Zed knows only node 2: when it dies, Zed is gone for good.
      await c.client('zed@2', zed, 1, {
        urls: [`${c.nodes[1]!.url.replace('http', 'ws')}/ws`],
        backoffInitialMs: 60_000,
      });
      await until(() => presence.some((f) => f.userId === zed.id && f.online), 'zed online at peer');

      // Steady traffic with an outbox: a send every 10 ms per sender, acks not awaited.
      const pending: Promise<AckFrame>[] = [];
      let stop = false;
      const pump = (async () => {
        for (let i = 0; !stop; i++) {
          pending.push(
            c1.send({ to: dm1, kind: 'text', text: `d${i}` }),
            c2.send({ to: gid, kind: 'text', text: `g${i}` }),
          );
          pending.push(cp.send({ to: gid, kind: 'text', text: `p${i}` }));
          await sleep(10);
        }
      })();
      await sleep(600);
      const killedAt = Date.now();
      await c.kill(1);
      await sleep(1000);
      stop = true;
      await pump;

      const acks = await Promise.all(pending);
      expect(acks.length).toBeGreaterThan(100);
      // They really moved: node 3 serves them now.
      expect(c1.state).toBe('online');
      const members = { [dm1]: [p.id, s1.id], [gid]: [p.id, s1.id, s2.id] };
      await c.checker.settle(members, 15_000);
      c.checker.verify(members);
      // Nothing was stored twice: one entry per send, every seq acked.
      const total = acks.length;
      expect(c.checker.expected(dm1).length + c.checker.expected(gid).length).toBe(total);

      // Zed is announced offline once, within the presence TTL (plus a sweep period and slack).
      await until(
        () => presence.some((f) => f.userId === zed.id && !f.online),
        'zed offline at peer',
        FAULT_TIMINGS.presenceTtl * 3,
      );
      expect(Date.now() - killedAt).toBeLessThan(FAULT_TIMINGS.presenceTtl * 3 + 2000);
      await sleep(FAULT_TIMINGS.presenceTtl);
      expect(presence.filter((f) => f.userId === zed.id).map((f) => f.online)).toEqual([true, false]);
      // The senders that failed over were never announced offline.
      expect(presence.filter((f) => (f.userId === s1.id || f.userId === s2.id) && !f.online)).toEqual([]);
    },
  );
});
