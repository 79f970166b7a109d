import { num, nums, str } from '../lib/args.js';
import { stampIn } from '../lib/frame-scan.js';
import { clientIdFor, closeAll, connectAll, settle, stamp, stampOf, stampOfClientId } from '../lib/clients.js';
import { Step } from '../lib/measure.js';
import { openLoop, sleep } from '../lib/pace.js';
import type { BenchConn } from '../targets/target.js';
import type { Row, Scenario } from './scenario.js';

/**
 * Group fan-out: one group of `--members` online members; member 0 sends to the group, open
 * loop, at rising `--rates`. Every other member should receive every message. The step ends
 * the climb when p99 passes `--slo` ms or messages are lost; the `best` row is the highest
 * deliveries/s whose p99 stayed under the SLO.
 *
 * Receivers read through the light frame reader (`--light true`, the default; see
 * bench/lib/frame-scan.ts) so the generator's core is not what limits the climb; `--light
 * false` keeps every receiver on its full client (the protocol client for Parley) for an A/B.
 */
export const fanout: Scenario = {
  name: 'fanout',
  about: 'group fan-out: one group of 1,000 online members at rising rates',
  defaultTargets: ['bare', 'socketio', 'parley', 'parley:msgpack'],
  ratios: [
    { metric: 'deliveriesPerSec', better: 'higher' },
    { metric: 'cpuUsPerDelivery', better: 'lower' },
  ],
  columns: [
    'rate',
    'deliveriesPerSec',
    'lost',
    'errors',
    'p50',
    'p99',
    'max',
    'serverCpu',
    'cpuUsPerDelivery',
    'genCpu',
  ],
  async run(ctx) {
    const members = num(ctx.opts, 'members', 1000);
    const rates = nums(ctx.opts, 'rates', [25, 50, 100, 200, 300, 400, 600, 800, 1200, 1600]);
    const seconds = num(ctx.opts, 'seconds', 3);
    const slo = num(ctx.opts, 'slo', 100);
    const size = num(ctx.opts, 'size', 64);
    const pad = 'x'.repeat(Math.max(0, size - 16));
    const target = await ctx.start();
    let conns: BenchConn[] = [];
    try {
      const world = await target.prepare({ users: members, groups: [members], pairs: false });
      const group = world.groups[0]!.id;
      const r = await connectAll(target, world.users, {
        width: 200,
        codec: ctx.spec.codec,
        onProgress: (t) => ctx.progress(t),
      });
      conns = r.conns;
      if (r.failures) throw new Error(`${r.failures} connections failed`);
      await settle(conns);
      const sender = conns[0]!;
      // Each step's handler; the light readers call whichever is current.
      let onPayload: (buf: Buffer, start: number, end: number) => void = () => {};
      const light = str(ctx.opts, 'light', 'true') !== 'false';
      if (light) for (const c of conns.slice(1)) c.lighten?.((buf, start, end) => onPayload(buf, start, end));
      const rows: Row[] = [];
      let best: Row = { step: 'best', deliveriesPerSec: 0, rate: 0, p99: 0 };
      let tag = 0;
      for (const [k, rate] of [rates[0]!, ...rates].entries()) {
        const warm = k === 0;
        const step = new Step([target.server.pid]);
        // Fixed width, so the light readers can compare it at a known offset.
        const mine = `s${String(++tag).padStart(3, '0')}`;
        const mineBytes = Buffer.from(mine);
        onPayload = (buf, start, end) => {
          const at = stampIn(buf, start, end, pad.length, mineBytes);
          if (Number.isNaN(at)) return;
          step.delivered++;
          step.delivery.since(at);
        };
        for (const c of conns) {
          c.onMessage = (text) => {
            if (!text.endsWith(mine)) return;
            step.delivered++;
            step.delivery.since(stampOf(text));
          };
          c.onError = () => {
            step.errors++;
          };
        }
        sender.onAck = (id) => {
          step.acked++;
          step.ack.since(stampOfClientId(id));
        };
        step.begin();
        const progress = setInterval(
          () => ctx.progress(`rate ${rate}/s: sent ${step.sent} delivered ${step.delivered} errors ${step.errors}`),
          500,
        );
        await openLoop(rate, (warm ? 1 : seconds) * 1000, (i, at) => {
          sender.sendGroup(group, stamp(at, pad + mine), clientIdFor(i, at));
          step.sent++;
        });
        step.end();
        const expected = step.sent * (members - 1);
        await step.drain(() => step.delivered >= expected, 3000);
        clearInterval(progress);
        if (warm) continue;
        const row = step.row(`rate=${rate}`, expected, { rate });
        // Server CPU time per delivery (µs): what the server's one core could deliver when the
        // generator, not the server, is what saturates first.
        const dps = Number(row.deliveriesPerSec);
        const cpuUsPerDelivery = dps > 0 ? Math.round(((Number(row.serverCpu) * 1e4) / dps) * 100) / 100 : NaN;
        rows.push({ ...row, cpuUsPerDelivery });
        if (row.p99 >= slo || row.lost > 0 || row.errors > 0) break;
        if (Number(row.deliveriesPerSec) > Number(best.deliveriesPerSec))
          best = { ...rows[rows.length - 1]!, step: 'best' };
        await sleep(300);
      }
      rows.push(best);
      return rows;
    } finally {
      closeAll(conns);
      await target.stop();
    }
  },
};
