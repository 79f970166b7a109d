import { Latency } from './histogram.js';
import { sleep } from './pace.js';
import { type ProcSample, cpuPercent, sampleProc, selfCpu } from './proc-stats.js';

/**
 * Counters and histograms of one measured step, plus CPU of the server(s) and the generator
 * over the step. Latencies of messages scheduled before `begin()` are not recorded (warm-up).
 */
export class Step {
  readonly delivery = new Latency();
  readonly ack = new Latency();
  sent = 0;
  delivered = 0;
  acked = 0;
  errors = 0;
  private server: (ProcSample | undefined)[] = [];
  private gen?: ProcSample;
  private t0 = 0;
  private seconds = 0;
  private serverCpu = 0;
  private genCpu = 0;
  private rss = 0;

  constructor(private readonly pids: number[]) {}

  begin() {
    this.server = this.pids.map(sampleProc);
    this.gen = selfCpu();
    this.t0 = performance.now();
  }

  /** Ends the CPU window (call when sending stops; draining is not counted). */
  end() {
    this.seconds = (performance.now() - this.t0) / 1000;
    const after = this.pids.map(sampleProc);
    this.serverCpu = after.reduce((s, b, i) => s + cpuPercent(this.server[i], b), 0);
    this.rss = after.reduce((s, b) => s + (b?.rssBytes ?? 0), 0);
    this.genCpu = cpuPercent(this.gen, selfCpu());
  }

  /** Waits until `done()` or `ms` passed. */
  async drain(done: () => boolean, ms = 3000) {
    const until = performance.now() + ms;
    while (!done() && performance.now() < until) await sleep(20);
  }

  row(step: string, expectedDeliveries: number, extra: Record<string, number> = {}) {
    const d = this.delivery.summary();
    const a = this.ack.summary();
    return {
      step,
      sent: this.sent,
      delivered: this.delivered,
      lost: Math.max(0, expectedDeliveries - this.delivered),
      errors: this.errors,
      deliveriesPerSec: Math.round(this.delivered / this.seconds),
      p50: d.p50,
      p99: d.p99,
      p999: d.p999,
      max: d.max,
      ackP50: a.p50,
      ackP99: a.p99,
      acked: this.acked,
      serverCpu: this.serverCpu,
      serverRssMiB: Math.round(this.rss / 2 ** 20),
      genCpu: this.genCpu,
      seconds: Math.round(this.seconds * 100) / 100,
      ...extra,
    };
  }
}
