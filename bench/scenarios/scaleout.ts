import { randomBytes } from 'node:crypto';
import { num, nums } from '../lib/args.js';
import { closeAll, connectAll, settle } from '../lib/clients.js';
import { openLoopPairs, saturatePairs } from '../lib/pair-load.js';
import { freshDatabase } from '../../fixtures/databases.js';
import type { BenchConn, BenchUser, ConnectOptions, Target } from '../targets/target.js';
import type { Row, Scenario } from './scenario.js';

/**
 * Scale-out: the same one-to-one load on one node (memory bus) and on two nodes sharing the
 * database and Redis, where user 2k is on node A and its partner 2k+1 on node B, so every
 * delivery crosses Redis. Both nodes are pinned to the same core as the single node: this
 * measures the cost of crossing Redis, not the gain of more hardware. Rows: open loop at
 * `--rates` (p99) and saturation (`--window` sends in flight per connection; acked/s).
 */
export const scaleout: Scenario = {
  name: 'scaleout',
  about: 'two nodes through Redis vs one node: throughput ratio and added p99',
  defaultTargets: ['parley:postgres', 'parley2:postgres'],
  ratios: [
    { metric: 'perSec', better: 'higher' },
    { metric: 'p99', better: 'lower' },
  ],
  columns: ['perSec', 'sent', 'lost', 'errors', 'p50', 'p99', 'p999', 'ackP99', 'serverCpu', 'genCpu'],
  async run(ctx) {
    const pairs = num(ctx.opts, 'conns', 200) >> 1;
    const rates = nums(ctx.opts, 'rates', [1000, 2000]);
    const seconds = num(ctx.opts, 'seconds', 4);
    const pad = 'x'.repeat(Math.max(0, num(ctx.opts, 'size', 64) - 16));
    const two = ctx.spec.name === 'parley2';
    const db = await freshDatabase(ctx.spec.dialect ?? 'postgres');
    const nodes: Target[] = [];
    let conns: BenchConn[] = [];
    try {
      const redis: Record<string, string> = two
        ? {
            PARLEY_REDIS: process.env.PARLEY_BENCH_REDIS ?? 'redis://127.0.0.1:6379',
            PARLEY_REDIS_PREFIX: `bench${randomBytes(4).toString('hex')}:`,
          }
        : {};
      nodes.push(await ctx.start({ ...redis, PARLEY_NODE_ID: 'a' }, db));
      if (two) nodes.push(await ctx.start({ ...redis, PARLEY_NODE_ID: 'b' }, db));
      const world = await nodes[0]!.prepare({ users: pairs * 2, groups: [], pairs: true });
      const router = {
        ...nodes[0]!,
        connect: (u: BenchUser, o: ConnectOptions) => nodes[u.index % nodes.length]!.connect(u, o),
      } as Target;
      const r = await connectAll(router, world.users, {
        width: 200,
        codec: ctx.spec.codec,
        onProgress: (t) => ctx.progress(t),
      });
      conns = r.conns;
      if (r.failures) throw new Error(`${r.failures} connections failed`);
      await settle(conns);
      const load = { conns, pids: nodes.map((n) => n.server.pid), acks: true, pad, progress: ctx.progress };
      await openLoopPairs(load, rates[0]!, 1); // warm-up: conversations created, caches filled
      const rows: Row[] = [];
      for (const rate of rates) {
        const s = await openLoopPairs(load, rate, seconds);
        rows.push(s.row(`rate=${rate}`, s.sent, { rate }));
      }
      const sat = await saturatePairs(load, num(ctx.opts, 'window', 16), seconds);
      const row = sat.row('saturation', 0);
      rows.push({ ...row, perSec: Math.round(sat.acked / Number(row.seconds)) });
      return rows;
    } finally {
      closeAll(conns);
      for (const n of nodes) await n.stop();
      await db.drop();
    }
  },
};
