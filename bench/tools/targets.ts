import fs from 'node:fs';
import path from 'node:path';

/**
 * Checks the performance issue's targets against the newest result JSON of each scenario in a
 * folder and prints them as a markdown table (met / not met, with the numbers and the
 * generator's CPU where it could be the limit). Usage: targets.ts <dir>
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
const rateSteps = (m: Record<string, Row[]> | undefined, target: string) =>
  (m?.[target] ?? []).map((r) => String(r.step)).filter((s) => s.startsWith('rate='));

// One-to-one, persisted and acknowledged.
const direct = load('direct');
{
  const p = at(direct, 'parley', 'rate=20000');
  add(
    'one-to-one 20,000 msgs/s: p99 ≤ 50 ms, nothing lost',
    `p99 ${f2(n(p, 'p99'))} ms; lost ${f2(n(p, 'lost'))}; acked ${f2(n(p, 'acked'))}/${f2(n(p, 'sent'))}; server CPU ${f2(n(p, 'serverCpu'))}%, generator ${f2(n(p, 'genCpu'))}%`,
    known(n(p, 'p99')) && n(p, 'p99') <= 50 && n(p, 'lost') === 0,
  );
}
for (const step of rateSteps(direct, 'parley')) {
  const p = n(at(direct, 'parley', step), 'p99');
  const s = n(at(direct, 'socketio', step), 'p99');
  add(`one-to-one p99 ≤ Socket.IO's (${step})`, `${f2(p)} vs ${f2(s)} ms`, known(p, s) && p <= s);
}
// Server CPU per message: % of a core × 10⁴ ÷ msgs/s = µs per message.
for (const step of rateSteps(direct, 'parley')) {
  const rate = Number(step.slice('rate='.length));
  const p = (n(at(direct, 'parley', step), 'serverCpu') * 1e4) / rate;
  const b = (n(at(direct, 'bare', step), 'serverCpu') * 1e4) / rate;
  const behind = n(at(direct, 'parley', step), 'p99') > 1000 ? ' (server saturated: understates the cost)' : '';
  add(
    `server CPU per one-to-one message ≤ 2× bare echo's (${step})`,
    `${f2(p)} vs ${f2(b)} µs = ${f2(p / b)}×${behind}`,
    known(p, b) && p <= 2 * b,
  );
}

// Persisted throughput against the storage's own limits.
const per = load('persist');
for (const d of ['sqlite', 'postgres', 'mysql']) {
  const p = n(at(per, `parley:${d}`, d), 'perSec');
  const same = n(at(per, `driver:${d}`, d), 'perSec');
  const append = n(at(per, `append:${d}`, d), 'perSec');
  const nums = `Parley ${f2(p)}/s; same rows ${f2(same)}/s (${f2(p / same)}×); append-only ${f2(append)}/s (${f2(p / append)}×)`;
  if (d === 'sqlite')
    add('persisted throughput SQLite ≥ 0.5× append-only limit', nums, known(p, append) && p >= 0.5 * append);
  else add(`persisted throughput ${d} ≥ 0.6× same-rows baseline`, nums, known(p, same) && p >= 0.6 * same);
}

// Two nodes through Redis.
const so = load('scaleout');
{
  const one = n(at(so, 'parley:postgres', 'saturation'), 'perSec');
  const two = n(at(so, 'parley2:postgres', 'saturation'), 'perSec');
  add(
    'two nodes ≥ 0.8× one node throughput',
    `${f2(two)} vs ${f2(one)} acked/s = ${f2(two / one)}×`,
    known(one, two) && two >= 0.8 * one,
  );
  for (const step of rateSteps(so, 'parley:postgres')) {
    const a = n(at(so, 'parley:postgres', step), 'p99');
    const b = n(at(so, 'parley2:postgres', step), 'p99');
    add(
      `two nodes add ≤ 5 ms to p99 (${step})`,
      `${f2(b)} vs ${f2(a)} ms = +${f2(b - a)} ms`,
      known(a, b) && b - a <= 5,
    );
  }
}

// Connections.
const storm = load('storm');
{
  const p = n(at(storm, 'parley', 'conns=5000'), 'connectsPerSec');
  const b = n(at(storm, 'bare', 'conns=5000'), 'connectsPerSec');
  add('connect storm ≥ 0.8× bare ws connects/s', `${f2(p)} vs ${f2(b)} = ${f2(p / b)}×`, known(p, b) && p >= 0.8 * b);
}
const idle = load('idle');
for (const step of ['conns=10000', 'conns=18000']) {
  const p = n(at(idle, 'parley', step), 'kibPerConn');
  const b = n(at(idle, 'bare', step), 'kibPerConn');
  add(
    `idle memory per connection ≤ 1.1× bare (${step})`,
    `${f2(p)} vs ${f2(b)} KiB = ${f2(p / b)}×`,
    known(p, b) && p <= 1.1 * b,
  );
}

// Fan-out, with the generator's CPU beside it: a figure the generator capped is not the server's.
const fan = load('fanout');
for (const t of ['parley', 'parley:msgpack']) {
  const best = at(fan, t, 'best');
  const d = n(best, 'deliveriesPerSec');
  const gen = n(best, 'genCpu');
  add(
    `fan-out ≥ 400,000 deliveries/s at p99 < 100 ms (${t})`,
    `${f2(d)}/s at ${best?.rate ?? '?'} msgs/s, p99 ${f2(n(best, 'p99'))} ms; server CPU ${f2(n(best, 'serverCpu'))}%, generator ${f2(gen)}%`,
    known(d) && d >= 400_000,
  );
}
{
  const rows = ['bare', 'socketio', 'parley', 'parley:msgpack'].map((t) => [t, at(fan, t, 'best')] as const);
  const worst = Math.max(...rows.map(([, r]) => n(r, 'genCpu')));
  add(
    'fan-out: the generator is not the limit (its CPU below 95% at every best step)',
    rows.map(([t, r]) => `${t} ${f2(n(r, 'genCpu'))}%`).join(', '),
    known(worst) && worst < 95,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
