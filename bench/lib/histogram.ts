import * as hdr from 'hdr-histogram-js';

/** Latency summary in milliseconds (recorded in microseconds, 3 significant digits). */
export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/**
 * An HDR histogram of latencies. Values are measured from the *scheduled* send time, so a
 * generator that falls behind its schedule shows up as latency (no coordinated omission).
 */
export class Latency {
  private h = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });

  /** Records `now - scheduledAt`, both from performance.now() (ms). */
  since(scheduledAt: number, now = performance.now()) {
    this.h.recordValue(Math.max(1, Math.round((now - scheduledAt) * 1000)));
  }

  get count() {
    return this.h.totalCount;
  }

  reset() {
    this.h.reset();
  }

  summary(): LatencySummary {
    const ms = (us: number) => Math.round(us) / 1000;
    const n = this.h.totalCount;
    if (n === 0) return { count: 0, p50: 0, p99: 0, p999: 0, max: 0, mean: 0 };
    const p999 = this.h.getValueAtPercentile(99.9);
    return {
      count: n,
      p50: ms(this.h.getValueAtPercentile(50)),
      p99: ms(this.h.getValueAtPercentile(99)),
      p999: ms(p999),
      // Percentiles report the top of their bucket (3 significant digits); keep max >= them.
      max: ms(Math.max(this.h.maxValue, p999)),
      mean: ms(this.h.mean),
    };
  }
}
