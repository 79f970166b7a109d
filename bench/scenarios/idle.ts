import { nums, num } from '../lib/args.js';
import { closeAll, connectAll } from '../lib/clients.js';
import { sleep } from '../lib/pace.js';
import { sampleProc } from '../lib/proc-stats.js';
import type { BenchConn } from '../targets/target.js';
import type { Row, Scenario } from './scenario.js';

/**
 * Idle density: N authenticated connections, each in its personal topic and one group topic
 * (groups of `--group-size`), held idle; server memory per connection = RSS growth / N.
 * Counts rise within one server process (10,000 then 18,000 by default).
 */
export const idle: Scenario = {
  name: 'idle',
  about: 'idle density: memory per authenticated connection (personal + group topic)',
  defaultTargets: ['bare', 'socketio', 'parley'],
  ratios: [{ metric: 'kibPerConn', better: 'lower' }],
  columns: ['conns', 'failed', 'rssMiB', 'kibPerConn', 'serverCpuIdle'],
  async run(ctx) {
    const counts = nums(ctx.opts, 'conns', [10_000, 18_000]).sort((a, b) => a - b);
    const groupSize = num(ctx.opts, 'group-size', 100);
    const hold = num(ctx.opts, 'hold', 2) * 1000;
    const max = counts[counts.length - 1]!;
    const target = await ctx.start();
    const rows: Row[] = [];
    const conns: BenchConn[] = [];
    try {
      const world = await target.prepare({ users: max, groups: [], pairs: false, groupsOf: groupSize });
      await sleep(1000);
      const base = sampleProc(target.server.pid)!;
      let lost = 0;
      for (const n of counts) {
        const batch = world.users.slice(conns.length, n);
        const r = await connectAll(target, batch, { width: 200, onProgress: (t) => ctx.progress(`${n}: ${t}`) });
        for (const c of r.conns)
          c.onError = () => {
            lost++;
          };
        conns.push(...r.conns);
        await sleep(hold);
        const a = sampleProc(target.server.pid)!;
        await sleep(1000);
        const b = sampleProc(target.server.pid)!;
        rows.push({
          step: `conns=${n}`,
          conns: conns.length,
          failed: r.failures + lost,
          rssMiB: round(b.rssBytes / 2 ** 20),
          baseRssMiB: round(base.rssBytes / 2 ** 20),
          kibPerConn: round((b.rssBytes - base.rssBytes) / 1024 / Math.max(1, conns.length)),
          serverCpuIdle: round(((b.cpuSec - a.cpuSec) / ((b.at - a.at) / 1000)) * 100),
          connectPerSec: round(batch.length / r.seconds),
        });
      }
    } finally {
      closeAll(conns);
      await target.stop();
    }
    return rows;
  },
};

const round = (x: number) => Math.round(x * 10) / 10;
