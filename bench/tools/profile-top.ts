import fs from 'node:fs';
import path from 'node:path';

/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by file,
 * as markdown tables, so BENCHMARKS.md can cite where the time goes.
 * Usage: node --import tsx bench/tools/profile-top.ts <file.cpuprofile> [top=25] [from=0] [to=end]
 * (`from`/`to` in seconds from the profile's start: pick the measured window). Besides self
 * time it prints inclusive time (a function and everything it called), which is what answers
 * "how much does the group commit cost". The profiler samples wall time on the thread, so time
 * blocked in a native call (an fsync inside a commit) counts as busy.
 */
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: profile-top <file.cpuprofile> [top]\n');
  process.exit(2);
}
const top = Number(process.argv[3] ?? 25);
// Skip the first N seconds (server start-up, module loading) so the table shows the load.
const skipUs = Number(process.argv[4] ?? 0) * 1e6;
const untilUs = process.argv[5] === undefined ? Infinity : Number(process.argv[5]) * 1e6;
const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
/** Inclusive time per node id: every sample counts for its node and all of its callers. */
const incl = new Map<number, number>();
let t = 0;
let idle = 0;
for (let i = 0; i < prof.samples.length; i++) {
  t += prof.timeDeltas[i] ?? 0;
  if (t < skipUs || t > untilUs) continue;
  const node = byId.get(prof.samples[i]!)!;
  // Idle time is not work: percentages are of busy (on-CPU) time.
  if (node.callFrame.functionName === '(idle)') {
    idle += prof.timeDeltas[i] ?? 0;
    continue;
  }
  self.set(prof.samples[i]!, (self.get(prof.samples[i]!) ?? 0) + (prof.timeDeltas[i] ?? 0));
  for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id))
    incl.set(id, (incl.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
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

const label = (n: Node) =>
  `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
// A function reached through several call paths is summed once per sample path, not per node.
const inclAgg = new Map<string, number>();
for (const [id, us] of incl) {
  const n = byId.get(id)!;
  if (n.callFrame.functionName === '(root)') continue;
  let nested = false; // recursion: an ancestor with the same label already holds this time
  for (let p = parent.get(id); p !== undefined; p = parent.get(p)) if (label(byId.get(p)!) === label(n)) nested = true;
  if (!nested) inclAgg.set(label(n), (inclAgg.get(label(n)) ?? 0) + us);
}
const fnAgg = new Map<string, number>();
const fileAgg = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id)!;
  const f = short(n.callFrame.url);
  const name = label(n);
  fnAgg.set(name, (fnAgg.get(name) ?? 0) + us);
  const pkg = f.startsWith('src/')
    ? f
    : f.split('/')[0]!.startsWith('@')
      ? f.split('/').slice(0, 2).join('/')
      : f.split('/')[0]!;
  fileAgg.set(pkg, (fileAgg.get(pkg) ?? 0) + us);
}
const pct = (us: number) => `${((us / total) * 100).toFixed(1)}%`;
const rows = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
const window = `${skipUs / 1e6} s to ${untilUs === Infinity ? 'the end' : `${untilUs / 1e6} s`}`;
process.stdout.write(
  `profile ${path.basename(file)}, ${window}: ${(total / 1e6).toFixed(2)} s busy, ${(idle / 1e6).toFixed(2)} s idle; % of busy time\n\n| inclusive | function |\n| --- | --- |\n`,
);
for (const [k, v] of rows(inclAgg)) process.stdout.write(`| ${pct(v)} | ${k.replace(/\|/g, '\\|')} |\n`);
process.stdout.write(`\n| self | function |\n| --- | --- |\n`);
for (const [k, v] of rows(fnAgg)) process.stdout.write(`| ${pct(v)} | ${k.replace(/\|/g, '\\|')} |\n`);
process.stdout.write(`\n| self | file or package |\n| --- | --- |\n`);
for (const [k, v] of rows(fileAgg)) process.stdout.write(`| ${pct(v)} | ${k} |\n`);
