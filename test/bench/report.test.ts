import { describe, expect, it } from 'vitest';
import { median, medians, ratios } from '../../bench/lib/report.js';
import { openLoop } from '../../bench/lib/pace.js';
import { direct } from '../../bench/scenarios/direct.js';

describe('bench report', () => {
  it('takes the median of each metric per target and step over runs', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    const med = medians([
      { target: 'bare', run: 1, rows: [{ step: 'rate=1', p99: 10, p50: 1 }] },
      { target: 'bare', run: 2, rows: [{ step: 'rate=1', p99: 30, p50: 3 }] },
      { target: 'bare', run: 3, rows: [{ step: 'rate=1', p99: 20, p50: 2 }] },
      { target: 'parley', run: 1, rows: [{ step: 'rate=1', p99: 40, p50: 4 }] },
      { target: 'parley', run: 2, rows: [], error: 'boom' },
    ]);
    expect(med.bare).toEqual([{ step: 'rate=1', runs: 3, p99: 20, p50: 2 }]);
    expect(med.parley).toEqual([{ step: 'rate=1', runs: 1, p99: 40, p50: 4 }]);
    const r = ratios(direct, med).find((x) => x.metric === 'p99')!;
    expect(r).toMatchObject({ subject: 'parley', baseline: 'bare', value: 40, base: 20, ratio: 2 });
  });

  it('schedules open-loop sends by time: the count follows rate × duration, times are evenly spaced', async () => {
    const times: number[] = [];
    const n = await openLoop(200, 100, (_i, at) => times.push(at));
    expect(n).toBe(20);
    expect(times).toHaveLength(20);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeCloseTo(5, 6);
  });
});
