import { num, nums } from '../lib/args.js';
import { clientIdFor, closeAll, connectAll, stamp, stampOf, stampOfClientId } from '../lib/clients.js';
import { Step } from '../lib/measure.js';
import { openLoop, sleep } from '../lib/pace.js';
import type { BenchConn } from '../targets/target.js';
import type { Row, Scenario } from './scenario.js';

/**
 * One-to-one at fixed rates: `--conns` connections in friend pairs (2k ↔ 2k+1); message i is
 * sent by connection i mod conns to its partner, open loop at each `--rates` value for
 * `--seconds`. Latency is scheduled send → delivery at the partner (and → ack for servers that
 * ack; Parley acks after commit). A short warm-up at the first rate is not recorded.
 */
export const direct: Scenario = {
  name: 'direct',
  about: 'one-to-one at fixed rates over 1,000 connections, persisted and acknowledged',
  defaultTargets: ['bare', 'socketio', 'parley'],
  ratios: [{ metric: 'p50', better: 'lower' }, { metric: 'p99', better: 'lower' }, { metric: 'serverCpu', better: 'lower' }],
  columns: ['sent', 'lost', 'errors', 'p50', 'p99', 'p999', 'max', 'ackP99', 'serverCpu', 'genCpu'],
  async run(ctx) {
    const n = num(ctx.opts, 'conns', 1000) & ~1;
    const rates = nums(ctx.opts, 'rates', [2000, 10_000, 20_000]);
    const seconds = num(ctx.opts, 'seconds', 4);
    const size = num(ctx.opts, 'size', 64);
    const pad = 'x'.repeat(Math.max(0, size - 16));
    const target = await ctx.start();
    let conns: BenchConn[] = [];
    try {
      const world = await target.prepare({ users: n, groups: [], pairs: true });
      const r = await connectAll(target, world.users, { width: 200, codec: ctx.spec.codec, onProgress: (t) => ctx.progress(t) });
      conns = r.conns;
      if (r.failures) throw new Error(`${r.failures} connections failed`);
      const rows: Row[] = [];
      const plan = [{ rate: rates[0]!, secs: 1, warm: true }, ...rates.map((rate) => ({ rate, secs: seconds, warm: false }))];
      let tag = 0;
      for (const { rate, secs, warm } of plan) {
        const step = new Step([target.server.pid]);
        const mine = `s${++tag}`;
        for (const c of conns) {
          c.onMessage = (text) => {
            if (!text.endsWith(mine)) return;
            step.delivered++;
            step.delivery.since(stampOf(text));
          };
          c.onAck = (id) => {
            step.acked++;
            step.ack.since(stampOfClientId(id));
          };
          c.onError = () => { step.errors++; };
        }
        step.begin();
        const progress = setInterval(() => ctx.progress(`rate ${rate}/s: sent ${step.sent} delivered ${step.delivered} acked ${step.acked} errors ${step.errors}`), 500);
        await openLoop(rate, secs * 1000, (i, at) => {
          const c = conns[i % n]!;
          const peer = conns[(i % n) ^ 1]!;
          c.sendDirect(peer.user, stamp(at, pad + mine), clientIdFor(i, at));
          step.sent++;
        });
        step.end();
        await step.drain(() => step.delivered >= step.sent && (!target.acks || step.acked >= step.sent), 3000);
        clearInterval(progress);
        if (!warm) rows.push(step.row(`rate=${rate}`, step.sent, { rate }));
        await sleep(300);
      }
      return rows;
    } finally {
      closeAll(conns);
      await target.stop();
    }
  },
};
