import { num, str } from '../lib/args.js';
import { closeAll, connectAll, settle } from '../lib/clients.js';
import { saturatePairs } from '../lib/pair-load.js';
import type { DialectName } from '../../src/store/db.js';
import { freshDatabase } from '../../fixtures/databases.js';
import type { BenchConn } from '../targets/target.js';
import { driverInserts } from './persist-driver.js';
import type { Scenario } from './scenario.js';

/** Mean group-commit size Parley reported in the last run per dialect, for the driver baseline. */
const lastBatch = new Map<string, number>();

/** Reads `parley_store_commit_batch_size` sum and count from /metrics. */
export async function commitStats(url: string): Promise<{ sum: number; count: number }> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const sum = Number(/^parley_store_commit_batch_size_sum (\S+)/m.exec(text)?.[1] ?? 0);
    const count = Number(/^parley_store_commit_batch_size_count (\S+)/m.exec(text)?.[1] ?? 0);
    return { sum, count };
  } catch {
    return { sum: 0, count: 0 };
  }
}

/**
 * Persisted throughput: `--conns` connections in friend pairs each keep `--window` sends in
 * flight (closed loop: the next send leaves when an ack arrives), so the server runs at its
 * saturation point; acked messages per second over `--seconds`. `driver:<dialect>` runs the
 * same driver inserting the same rows in batches of the mean commit size Parley just reported;
 * `append:<dialect>` appends the same bytes to a table with no index at all (what storage can
 * do when nothing but the rows is written).
 */
export const persist: Scenario = {
  name: 'persist',
  about: 'persisted throughput: acked msgs/s vs the same driver inserting the same rows in batches',
  defaultTargets: [
    'parley:sqlite',
    'driver:sqlite',
    'append:sqlite',
    'parley:postgres',
    'driver:postgres',
    'append:postgres',
    'parley:mysql',
    'driver:mysql',
    'append:mysql',
  ],
  ratios: [{ metric: 'perSec', better: 'higher' }],
  columns: ['perSec', 'batch', 'ackP50', 'ackP99', 'errors', 'serverCpu', 'genCpu'],
  async run(ctx) {
    const dialect = (ctx.spec.dialect ?? 'sqlite') as DialectName;
    const seconds = num(ctx.opts, 'seconds', 4);
    const size = num(ctx.opts, 'size', 64);
    const pairs = num(ctx.opts, 'conns', 200) >> 1;
    if (ctx.spec.name === 'driver' || ctx.spec.name === 'append') {
      const batch = Math.max(1, Math.round(lastBatch.get(dialect) ?? num(ctx.opts, 'batch', 64)));
      const db = await freshDatabase(dialect);
      try {
        ctx.progress(`${ctx.spec.name} inserts, batch ${batch}`);
        const r = await driverInserts(db, {
          batch,
          seconds,
          conversations: pairs,
          textSize: size,
          sqliteSync: str(ctx.opts, 'sync', 'FULL'),
          into: ctx.spec.name === 'append' ? 'append' : 'entries',
        });
        return [{ step: dialect, perSec: r.perSec, batch, rows: r.rows }];
      } finally {
        await db.drop();
      }
    }
    const target = await ctx.start();
    let conns: BenchConn[] = [];
    try {
      const world = await target.prepare({ users: pairs * 2, groups: [], pairs: true });
      const r = await connectAll(target, world.users, {
        width: 200,
        codec: ctx.spec.codec,
        onProgress: (t) => ctx.progress(t),
      });
      conns = r.conns;
      if (r.failures) throw new Error(`${r.failures} connections failed`);
      await settle(conns);
      let before = { sum: 0, count: 0 };
      let after = before;
      const step = await saturatePairs(
        {
          conns,
          pids: [target.server.pid],
          acks: true,
          pad: 'x'.repeat(Math.max(0, size - 16)),
          progress: ctx.progress,
        },
        num(ctx.opts, 'window', 16),
        seconds,
        {
          begin: async () => {
            before = await commitStats(target.server.url);
          },
          end: async () => {
            after = await commitStats(target.server.url);
          },
        },
      );
      const batch = after.count > before.count ? (after.sum - before.sum) / (after.count - before.count) : 0;
      if (batch > 0) lastBatch.set(dialect, batch);
      const row = step.row(dialect, 0, { batch: Math.round(batch * 10) / 10 });
      return [{ ...row, perSec: Math.round(step.acked / Number(row.seconds)) }];
    } finally {
      closeAll(conns);
      await target.stop();
    }
  },
};
