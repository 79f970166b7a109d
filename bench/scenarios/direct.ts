import { num, nums } from '../lib/args.js';
import { closeAll, connectAll, settle } from '../lib/clients.js';
import { openLoopPairs } from '../lib/pair-load.js';
import type { BenchConn } from '../targets/target.js';
import type { Row, Scenario } from './scenario.js';

/**
 * One-to-one at fixed rates: `--conns` connections in friend pairs (2k ↔ 2k+1); message i is
 * sent by connection i mod conns to its partner, open loop at each `--rates` value for
 * `--seconds`. Latency is scheduled send → delivery at the partner (and → ack for servers that
 * ack; Parley acks after commit). A one-second warm-up at the first rate is not recorded.
 */
export const direct: Scenario = {
  name: 'direct',
  about: 'one-to-one at fixed rates over 1,000 connections, persisted and acknowledged',
  defaultTargets: ['bare', 'socketio', 'parley'],
  ratios: [
    { metric: 'p50', better: 'lower' },
    { metric: 'p99', better: 'lower' },
    { metric: 'serverCpu', better: 'lower' },
  ],
  columns: ['sent', 'lost', 'errors', 'p50', 'p99', 'p999', 'max', 'ackP99', 'serverCpu', 'genCpu'],
  async run(ctx) {
    const n = num(ctx.opts, 'conns', 1000) & ~1;
    const rates = nums(ctx.opts, 'rates', [2000, 10_000, 20_000]);
    const seconds = num(ctx.opts, 'seconds', 4);
    const pad = 'x'.repeat(Math.max(0, num(ctx.opts, 'size', 64) - 16));
    const target = await ctx.start();
    let conns: BenchConn[] = [];
    try {
      const world = await target.prepare({ users: n, groups: [], pairs: true });
      const r = await connectAll(target, world.users, {
        width: 200,
        codec: ctx.spec.codec,
        onProgress: (t) => ctx.progress(t),
      });
      conns = r.conns;
      if (r.failures) throw new Error(`${r.failures} connections failed`);
      await settle(conns);
      const load = { conns, pids: [target.server.pid], acks: target.acks, pad, progress: ctx.progress };
      await openLoopPairs(load, rates[0]!, 1);
      const rows: Row[] = [];
      for (const rate of rates) {
        const s = await openLoopPairs(load, rate, seconds);
        rows.push(s.row(`rate=${rate}`, s.sent, { rate }));
      }
      return rows;
    } finally {
      closeAll(conns);
      await target.stop();
    }
  },
};
