import { num } from '../lib/args.js';
import { closeAll, connectAll } from '../lib/clients.js';
import { sleep } from '../lib/pace.js';
import { cpuPercent, sampleProc } from '../lib/proc-stats.js';
import type { Scenario } from './scenario.js';

/**
 * Connect storm: `--conns` authenticated connections opened as fast as the server accepts
 * them, `--width` handshakes in flight. Handshake = TCP + upgrade + auth until the server says
 * ready (Parley `ready` frame, Socket.IO `connect`, bare `open`).
 */
export const storm: Scenario = {
  name: 'storm',
  about: 'connect storm: authenticated connects per second and handshake latency',
  defaultTargets: ['bare', 'socketio', 'parley'],
  ratios: [
    { metric: 'connectsPerSec', better: 'higher' },
    { metric: 'p99', better: 'lower' },
  ],
  columns: ['conns', 'failed', 'connectsPerSec', 'p50', 'p99', 'max', 'serverCpu'],
  async run(ctx) {
    const n = num(ctx.opts, 'conns', 5000);
    const width = num(ctx.opts, 'width', 256);
    const target = await ctx.start();
    try {
      const world = await target.prepare({ users: n, groups: [], groupsOf: 100, pairs: false });
      await sleep(500);
      const a = sampleProc(target.server.pid);
      const r = await connectAll(target, world.users, { width, onProgress: (t) => ctx.progress(t) });
      const b = sampleProc(target.server.pid);
      closeAll(r.conns);
      const h = r.handshake.summary();
      return [
        {
          step: `conns=${n}`,
          conns: r.conns.length,
          failed: r.failures,
          connectsPerSec: Math.round(r.conns.length / r.seconds),
          p50: h.p50,
          p99: h.p99,
          p999: h.p999,
          max: h.max,
          serverCpu: cpuPercent(a, b),
        },
      ];
    } finally {
      await target.stop();
    }
  },
};
