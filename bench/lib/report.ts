import fs from 'node:fs';
import path from 'node:path';
import type { Row, Scenario } from '../scenarios/scenario.js';

export interface RunRecord {
  target: string;
  run: number;
  rows: Row[];
  error?: string;
}

export type Medians = Record<string, Row[]>;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Per target and step: the median of every numeric metric over the runs that reached it. */
export function medians(records: RunRecord[]): Medians {
  const out: Medians = {};
  const targets = [...new Set(records.map((r) => r.target))];
  for (const t of targets) {
    const runs = records.filter((r) => r.target === t && !r.error);
    const steps = [...new Set(runs.flatMap((r) => r.rows.map((x) => x.step)))];
    out[t] = steps.map((step) => {
      const rows = runs.map((r) => r.rows.find((x) => x.step === step)).filter((x): x is Row => Boolean(x));
      const row: Row = { step, runs: rows.length };
      for (const k of Object.keys(rows[0] ?? {})) {
        if (k === 'step') continue;
        const vals = rows.map((x) => x[k]).filter((v): v is number => typeof v === 'number');
        if (vals.length) row[k] = Math.round(median(vals) * 1000) / 1000;
      }
      return row;
    });
  }
  return out;
}

/**
 * Which labels a subject is compared with: persist compares with the driver on its dialect
 * (same rows into `entries`, and the same bytes appended to a table with no index).
 */
export function baselinesFor(label: string, labels: string[]): string[] {
  if (label.startsWith('driver') || label.startsWith('append') || label === 'bare' || label === 'socketio') return [];
  if (label.startsWith('parley:') && ['sqlite', 'postgres', 'mysql'].some((d) => label.endsWith(d))) {
    const d = label.split(':').pop();
    return labels.filter((l) => l === `driver:${d}` || l === `append:${d}`);
  }
  return labels.filter(
    (l) => l === 'bare' || l === 'socketio' || (label.startsWith('parley2') && l.startsWith('parley:')),
  );
}

export interface Ratio {
  subject: string;
  baseline: string;
  step: string;
  metric: string;
  better: 'higher' | 'lower';
  value: number;
  base: number;
  ratio: number;
}

export function ratios(scenario: Scenario, med: Medians): Ratio[] {
  const labels = Object.keys(med);
  const out: Ratio[] = [];
  for (const subject of labels) {
    for (const baseline of baselinesFor(subject, labels)) {
      for (const row of med[subject]!) {
        const b = med[baseline]!.find((x) => x.step === row.step);
        if (!b) continue;
        for (const { metric, better } of scenario.ratios) {
          const v = row[metric];
          const w = b[metric];
          if (typeof v !== 'number' || typeof w !== 'number') continue;
          out.push({
            subject,
            baseline,
            step: row.step,
            metric,
            better,
            value: v,
            base: w,
            ratio: w === 0 ? NaN : Math.round((v / w) * 100) / 100,
          });
        }
      }
    }
  }
  return out;
}

/** Markdown tables (they read fine on a terminal and paste into BENCHMARKS.md). */
export function table(scenario: Scenario, med: Medians, rat: Ratio[]): string {
  const cols = ['target', 'step', ...scenario.columns, 'runs'];
  const lines = [`| ${cols.join(' | ')} |`, `|${cols.map(() => ' --- ').join('|')}|`];
  for (const [t, rows] of Object.entries(med)) {
    for (const r of rows)
      lines.push(`| ${[t, r.step, ...scenario.columns.map((c) => fmt(r[c])), fmt(r.runs)].join(' | ')} |`);
  }
  if (rat.length) {
    lines.push(
      '',
      '| subject | baseline | step | metric | subject value | baseline value | ratio |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const r of rat)
      lines.push(
        `| ${r.subject} | ${r.baseline} | ${r.step} | ${r.metric} (${r.better} is better) | ${fmt(r.value)} | ${fmt(r.base)} | ${fmt(r.ratio)}× |`,
      );
  }
  return lines.join('\n');
}

const fmt = (v: unknown) =>
  v === undefined
    ? '–'
    : typeof v === 'number'
      ? Number.isInteger(v)
        ? String(v)
        : v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)
      : String(v);

export function writeJson(dir: string, name: string, data: unknown): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(data, null, 2));
  return file;
}
