import fs from 'node:fs';
import path from 'node:path';

/**
 * Checks the targets against the newest result JSON of each scenario in a folder and
 * prints them as a markdown table (met / not met, with the numbers). Usage: targets.ts <dir>
 */
type Row = Record<string, number | string>;
const dir = process.argv[2] ?? path.join(import.meta.dirname, '../results');
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();
const load = (name: string): Record<string, Row[]> | undefined => {
  const f = files.filter((x) => x.startsWith(`${name}-`)).pop();
  return f ? JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).medians : undefined;
};
const at = (m: Record<string, Row[]> | undefined, target: string, step: string) =>
  m?.[target]?.find((r) => r.step === step);
const n = (r: Row | undefined, k: string) => (r && typeof r[k] === 'number' ? (r[k] as number) : NaN);
const f2 = (x: number) => (Number.isNaN(x) ? 'n/a' : Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2));
const verdict = (ok: boolean | undefined) => (ok === undefined ? 'not measured' : ok ? '**met**' : '**not met**');
const lines = ['| target | measured | verdict |', '| --- | --- | --- |'];
const add = (what: string, measured: string, ok: boolean | undefined) =>
  lines.push(`| ${what} | ${measured} | ${verdict(ok)} |`);
const known = (...xs: number[]) => (xs.some(Number.isNaN) ? undefined : true);

const idle = load('idle');
for (const step of ['conns=10000', 'conns=18000']) {
  const p = n(at(idle, 'parley', step), 'kibPerConn');
  const b = n(at(idle, 'bare', step), 'kibPerConn');
  add(
    `idle memory/conn ≤ 1.3× bare (${step})`,
    `${f2(p)} KiB vs bare ${f2(b)} KiB = ${f2(p / b)}×`,
    known(p, b) && p <= 1.3 * b,
  );
}
const fan = load('fanout');
for (const t of ['parley', 'parley:msgpack']) {
  const p = n(at(fan, t, 'best'), 'deliveriesPerSec');
  const b = n(at(fan, 'bare', 'best'), 'deliveriesPerSec');
  add(
    `fan-out deliveries/s at p99 < 100 ms ≥ 1.5× bare (${t})`,
    `${f2(p)} vs bare ${f2(b)} = ${f2(p / b)}×`,
    known(p, b) && p >= 1.5 * b,
  );
}
// The same comparison on the server side, at the highest rate both held (p99 < 100 ms, nothing
// lost): server CPU per delivery. Past that rate deliveries lag the measured window, so the CPU
// sampled over it no longer covers them.
{
  const steps = (fan?.bare ?? []).map((r) => String(r.step)).filter((s) => s.startsWith('rate='));
  const held = (t: string, s: string) => n(at(fan, t, s), 'p99') < 100 && n(at(fan, t, s), 'lost') === 0;
  for (const t of ['parley', 'parley:msgpack']) {
    const step = steps.filter((s) => held('bare', s) && held(t, s)).pop();
    const p = n(at(fan, t, step ?? ''), 'cpuUsPerDelivery');
    const b = n(at(fan, 'bare', step ?? ''), 'cpuUsPerDelivery');
    add(
      `fan-out server CPU per delivery ≤ bare ÷ 1.5 (${t}, ${step ?? 'no common step'}; reported beside the target)`,
      `${f2(p)} vs bare ${f2(b)} µs = bare ÷ ${f2(b / p)}`,
      known(p, b) && b / p >= 1.5,
    );
  }
}
const dir1 = load('direct');
{
  const p = at(dir1, 'parley', 'rate=20000');
  const b = at(dir1, 'bare', 'rate=20000');
  const window = 2;
  const limit = 2 * n(b, 'p99') + window;
  add(
    'one-to-one 20,000 msg/s persisted: p99 ≤ 2× bare p99 + commit window (2 ms), nothing lost',
    `p99 ${f2(n(p, 'p99'))} ms vs limit ${f2(limit)} ms (bare p99 ${f2(n(b, 'p99'))}); lost ${f2(n(p, 'lost'))}, acked ${f2(n(p, 'acked'))}/${f2(n(p, 'sent'))}`,
    known(n(p, 'p99'), limit) && n(p, 'p99') <= limit && n(p, 'lost') === 0,
  );
}
const per = load('persist');
for (const d of ['sqlite', 'postgres', 'mysql']) {
  const p = n(at(per, `parley:${d}`, d), 'perSec');
  const b = n(at(per, `driver:${d}`, d), 'perSec');
  const measured = `${f2(p)} vs ${f2(b)} rows/s = ${f2(p / b)}×`;
  if (d === 'sqlite')
    add('persisted throughput sqlite ≥ 0.5× driver batched inserts', measured, known(p, b) && p >= 0.5 * b);
  else
    lines.push(
      `| persisted throughput ${d} vs driver batched inserts (no target in the issue) | ${measured} | reported |`,
    );
}
const so = load('scaleout');
{
  const one = n(at(so, 'parley:postgres', 'saturation'), 'perSec');
  const two = n(at(so, 'parley2:postgres', 'saturation'), 'perSec');
  add(
    'two nodes ≥ 0.7× one node throughput',
    `${f2(two)} vs ${f2(one)} acked/s = ${f2(two / one)}×`,
    known(one, two) && two >= 0.7 * one,
  );
  for (const step of (so?.['parley:postgres'] ?? []).map((r) => String(r.step)).filter((s) => s.startsWith('rate='))) {
    const a = n(at(so, 'parley:postgres', step), 'p99');
    const b = n(at(so, 'parley2:postgres', step), 'p99');
    add(
      `two nodes add ≤ 2 ms to p99 (${step})`,
      `${f2(b)} vs ${f2(a)} ms = +${f2(b - a)} ms`,
      known(a, b) && b - a <= 2,
    );
  }
}
// Ahead of Socket.IO, scenario by scenario.
const sio: [string, boolean | undefined, string][] = [];
for (const step of ['conns=10000', 'conns=18000']) {
  const p = n(at(idle, 'parley', step), 'kibPerConn');
  const s = n(at(idle, 'socketio', step), 'kibPerConn');
  sio.push([`idle ${step} KiB/conn`, known(p, s) && p < s, `${f2(p)} vs ${f2(s)}`]);
}
const storm = load('storm');
{
  const p = n(at(storm, 'parley', 'conns=5000'), 'connectsPerSec');
  const s = n(at(storm, 'socketio', 'conns=5000'), 'connectsPerSec');
  sio.push(['storm connects/s', known(p, s) && p > s, `${f2(p)} vs ${f2(s)}`]);
}
for (const step of ['rate=2000', 'rate=10000', 'rate=20000']) {
  const p = n(at(dir1, 'parley', step), 'p99');
  const s = n(at(dir1, 'socketio', step), 'p99');
  sio.push([`direct ${step} p99 ms`, known(p, s) && p < s, `${f2(p)} vs ${f2(s)}`]);
}
{
  const p = n(at(fan, 'parley', 'best'), 'deliveriesPerSec');
  const s = n(at(fan, 'socketio', 'best'), 'deliveriesPerSec');
  sio.push(['fan-out best deliveries/s', known(p, s) && p > s, `${f2(p)} vs ${f2(s)}`]);
}
for (const [what, ok, nums] of sio) add(`ahead of Socket.IO: ${what}`, `Parley vs Socket.IO: ${nums}`, ok);
process.stdout.write(`${lines.join('\n')}\n`);
