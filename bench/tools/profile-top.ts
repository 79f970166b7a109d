import fs from 'node:fs';
import path from 'node:path';

/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by file,
 * as markdown tables, so BENCHMARKS.md can cite where the time goes.
 * Usage: node --import tsx bench/tools/profile-top.ts <file.cpuprofile> [top=25]
 */
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: profile-top <file.cpuprofile> [top]\n');
  process.exit(2);
}
const top = Number(process.argv[3] ?? 25);
// Skip the first N seconds (server start-up, module loading) so the table shows the load.
const skipUs = Number(process.argv[4] ?? 0) * 1e6;
const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
let t = 0;
let idle = 0;
for (let i = 0; i < prof.samples.length; i++) {
  t += prof.timeDeltas[i] ?? 0;
  if (t < skipUs) continue;
  const node = byId.get(prof.samples[i]!)!;
  // Idle time is not work: percentages are of busy (on-CPU) time.
  if (node.callFrame.functionName === '(idle)') {
    idle += prof.timeDeltas[i] ?? 0;
    continue;
  }
  self.set(prof.samples[i]!, (self.get(prof.samples[i]!) ?? 0) + (prof.timeDeltas[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

const short = (url: string) => {
  if (!url) return '(native)';
  const u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) return u.slice(nm + 'node_modules/'.length);
  const src = u.indexOf('/src/');
  return src >= 0 ? u.slice(src + 1) : path.basename(u);
};

const fnAgg = new Map<string, number>();
const fileAgg = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id)!;
  const f = short(n.callFrame.url);
  const name = `${n.callFrame.functionName || '(anonymous)'} ${f}:${n.callFrame.lineNumber + 1}`;
  fnAgg.set(name, (fnAgg.get(name) ?? 0) + us);
  const pkg = f.startsWith('src/') ? f : f.split('/')[0]!.startsWith('@') ? f.split('/').slice(0, 2).join('/') : f.split('/')[0]!;
  fileAgg.set(pkg, (fileAgg.get(pkg) ?? 0) + us);
}
const pct = (us: number) => `${((us / total) * 100).toFixed(1)}%`;
const rows = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
process.stdout.write(`profile ${path.basename(file)}: ${(total / 1e6).toFixed(2)} s busy, ${(idle / 1e6).toFixed(2)} s idle (first ${skipUs / 1e6} s skipped); % of busy time\n\n| self | function |\n| --- | --- |\n`);
for (const [k, v] of rows(fnAgg)) process.stdout.write(`| ${pct(v)} | ${k.replace(/\|/g, '\\|')} |\n`);
process.stdout.write(`\n| self | file or package |\n| --- | --- |\n`);
for (const [k, v] of rows(fileAgg)) process.stdout.write(`| ${pct(v)} | ${k} |\n`);
