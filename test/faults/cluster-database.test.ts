import { afterEach, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import type { AckFrame, ErrorFrame } from '@parley/client';
import type { DialectName } from '../../src/store/db.js';
import { type Cluster, startCluster } from '../support/cluster.js';
import { clusterDialects, serverDialectsOrReason } from '../support/cluster-dialects.js';
import { sleep, until } from '../support/redis.js';
import { befriend } from '../support/social-fixtures.js';
import { RawSocket } from '../support/ws-clients.js';

/**
 * Issue 7, fault test 4: the database becomes unreachable (every node reaches it through one
 * TcpProxy: open connections are reset, new ones refused). Sends are refused with UNAVAILABLE
 * (error frame) or 503 (REST), `/readyz` reports `store: false`, and when the database is back
 * service resumes by itself: the protocol client's pending sends go through (same clientId) and
 * every device ends with exactly the acknowledged messages. PostgreSQL and MariaDB only: an
 * SQLite file cannot be unreachable.
 * Budget: 30 s.
 */
const dialects = clusterDialects({ serverOnly: true });

describe.each(serverDialectsOrReason())('database unreachable (%s)', (dialect) => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  it.skipIf(!dialects.length)(
    'sends refused with a clear error, /readyz reports it, service resumes by itself',
    { timeout: 30_000 },
    async () => {
      const c = (cluster = await startCluster({ dialect: dialect as DialectName, nodes: 2, dbProxy: true }));
      const app = c.nodes[0]!.server!.app;
      const [a, b] = [await c.user('alice'), await c.user('bob')];
      await befriend(app, a.id, b.id);
      const dm = dmId(a.id, b.id);
      const ca = await c.client('alice@1', a, 0);
      await c.client('bob@2', b, 1);
      const raw = await RawSocket.open(c.nodes[1]!.url, { token: b.token });
      await raw.next((f) => f.type === 'ready');
      const first = await ca.send({ to: dm, kind: 'text', text: 'before' });
      expect(first.seq).toBe(1);
      // Prime the authorization caches so the refusal below comes from the write, not a read.
      raw.send({ type: 'send', clientId: 'ok-1', to: dm, kind: 'text', text: 'primed' });
      await raw.next((f) => f.type === 'ack');

      await c.dbProxy!.refuse();
      c.dbProxy!.cut();
      // Socket: an error frame with the clientId, no ack.
      raw.send({ type: 'send', clientId: 'down-1', to: dm, kind: 'text', text: 'refused' });
      const err = await raw.next<ErrorFrame>((f) => f.type === 'error' || f.type === 'ack', 10_000);
      expect(err).toMatchObject({ type: 'error', code: 'UNAVAILABLE', clientId: 'down-1' });
      // REST: 503 UNAVAILABLE.
      const rest = await c.api.post(
        `/api/v1/conversations/${dm}/messages`,
        { clientId: 'down-2', kind: 'text', text: 'refused' },
        a.token,
      );
      expect(rest.status).toBe(503);
      expect(rest.body.error.code).toBe('UNAVAILABLE');
      // /readyz on every node says what is wrong.
      for (const n of c.nodes) {
        const r = await fetch(`${n.url}/readyz`);
        expect(r.status).toBe(503);
        const body = await r.json();
        expect(body.checks.store.ok).toBe(false);
        expect(body.checks.bus.ok).toBe(true);
      }
      // The protocol client keeps its sends pending (not failed) while the database is away.
      const pending: Promise<AckFrame>[] = [];
      for (let i = 0; i < 5; i++) pending.push(ca.send({ to: dm, kind: 'text', text: `during${i}` }));
      await sleep(500);

      await c.dbProxy!.restore();
      await until(
        async () =>
          (await fetch(`${c.nodes[0]!.url}/readyz`)).status === 200 &&
          (await fetch(`${c.nodes[1]!.url}/readyz`)).status === 200,
        '/readyz 200 again',
        15_000,
      );
      // Resumed by itself: the pending sends are acked without any reconnect, new sends work.
      const acks = await Promise.all(pending);
      // Each stored once (3..7); their order may differ from the sending order: a send still in
      // flight when the database came back can commit before the refused ones are resent.
      expect(acks.map((x) => x.seq).sort((x, y) => x - y)).toEqual([3, 4, 5, 6, 7]);
      const after = await ca.send({ to: dm, kind: 'text', text: 'after' });
      c.checker.ack({ conversation: dm, seq: 2 }); // the raw socket's primed message
      const members = { [dm]: [a.id, b.id] };
      await c.checker.settle(members, 10_000);
      c.checker.verify(members);
      expect(after.seq).toBe(8);
      // The refused sends were never stored.
      const hist = await c.api.get(`/api/v1/conversations/${dm}/messages?limit=50`, a.token);
      const ids = hist.body.items.map((e: { clientId?: string }) => e.clientId);
      expect(ids).not.toContain('down-1');
      expect(ids).not.toContain('down-2');
    },
  );
});
