import path from 'node:path';
import { parseArgs, list, num, str } from './lib/args.js';
import { Progress } from './lib/progress.js';
import { machine } from './lib/proc-stats.js';
import { type RunRecord, medians, ratios, table, writeJson } from './lib/report.js';
import { hasTaskset, pinSelf } from './lib/spawn-server.js';
import { direct } from './scenarios/direct.js';
import { fanout } from './scenarios/fanout.js';
import { idle } from './scenarios/idle.js';
import { persist } from './scenarios/persist.js';
import { type Scenario, type ScenarioContext, parseTargetSpec } from './scenarios/scenario.js';
import { scaleout } from './scenarios/scaleout.js';
import { storm } from './scenarios/storm.js';
import { bareTarget } from './targets/bare.js';
import { parleyTarget } from './targets/parley.js';
import { socketioTarget } from './targets/socketio.js';
import type { Target } from './targets/target.js';

const SCENARIOS: Scenario[] = [idle, storm, direct, fanout, persist, scaleout];

const USAGE = `usage: npm run bench -- <scenario> [options]
scenarios:
${SCENARIOS.map((s) => `  ${s.name.padEnd(9)} ${s.about} (targets: ${s.defaultTargets.join(',')})`).join('\n')}
common options:
  --targets a,b      bare | socketio | parley[:msgpack][:sqlite|postgres|mysql] | driver:<dialect> | append:<dialect>
  --runs N           repetitions of every target (default 3); tables show medians
  --out DIR          where the JSON goes (default bench/results)
  --cpu-prof         run servers under node --cpu-prof (profiles in <out>/profiles)
  --server-core N    core for servers (default 0); the generator pins itself to --gen-core (1)
  --commit-window MS Parley group-commit window (PARLEY_COMMIT_WINDOW)
scenario options: --conns, --rates, --seconds, --members, --size, --slo, --window (see each file)`;

async function main() {
  const { positional, opts } = parseArgs(process.argv.slice(2));
  const scenario = SCENARIOS.find((s) => s.name === positional[0]);
  if (!scenario) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(positional[0] ? 2 : 0);
  }
  const runs = num(opts, 'runs', 3);
  const outDir = path.resolve(str(opts, 'out', path.join(import.meta.dirname, 'results')));
  const cores = machine().nproc;
  const pinned = cores >= 2 && hasTaskset() && pinSelf(num(opts, 'gen-core', 1));
  const serverCore = pinned ? num(opts, 'server-core', 0) : undefined;
  const targets = list(opts, 'targets', scenario.defaultTargets).map(parseTargetSpec);
  const nodeFlags = opts.has('cpu-prof') ? ['--cpu-prof', '--cpu-prof-dir', path.join(outDir, 'profiles')] : [];
  const parleyEnv: Record<string, string> = {};
  if (opts.has('commit-window')) parleyEnv.PARLEY_COMMIT_WINDOW = str(opts, 'commit-window', '2');
  if (opts.has('sync')) parleyEnv.PARLEY_SQLITE_SYNCHRONOUS = str(opts, 'sync', 'FULL');

  const records: RunRecord[] = [];
  const started = new Date().toISOString();
  for (let run = 1; run <= runs; run++) {
    for (const spec of targets) {
      const progress = new Progress(`${scenario.name} ${spec.label} ${run}/${runs}`);
      const ctx: ScenarioContext = {
        opts,
        spec,
        progress: (t) => progress.update(t),
        async start(extraEnv = {}, db): Promise<Target> {
          const spawn = { core: serverCore, nodeFlags };
          if (spec.name === 'bare') return bareTarget(spawn);
          if (spec.name === 'socketio') return socketioTarget(spawn);
          if (spec.name === 'parley' || spec.name === 'parley2')
            return parleyTarget({ dialect: spec.dialect, db, env: { ...parleyEnv, ...extraEnv }, spawn });
          throw new Error(`${spec.label} has no server`);
        },
      };
      progress.update('starting', true);
      try {
        const rows = await scenario.run(ctx);
        records.push({ target: spec.label, run, rows });
        progress.done();
        process.stderr.write(
          `[${scenario.name} ${spec.label} ${run}/${runs}] ${rows
            .map(
              (r) =>
                `${r.step}: ${scenario.columns
                  .slice(0, 5)
                  .map((c) => `${c}=${r[c]}`)
                  .join(' ')}`,
            )
            .join('; ')}\n`,
        );
      } catch (e) {
        progress.done();
        const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
        records.push({ target: spec.label, run, rows: [], error: msg });
        process.stderr.write(`[${scenario.name} ${spec.label} ${run}/${runs}] FAILED: ${msg}\n`);
      }
    }
  }
  const med = medians(records);
  const rat = ratios(scenario, med);
  const out = table(scenario, med, rat);
  const file = writeJson(outDir, scenario.name, {
    scenario: scenario.name,
    about: scenario.about,
    started,
    finished: new Date().toISOString(),
    machine: machine(),
    pinned: pinned ? { generatorCore: num(opts, 'gen-core', 1), serverCore } : false,
    argv: process.argv.slice(2),
    runs,
    medians: med,
    ratios: rat,
    records,
  });
  process.stdout.write(
    `\n## ${scenario.name}: ${scenario.about}\n\n${out}\n\nJSON: ${path.relative(process.cwd(), file)}\n`,
  );
  const failed = records.filter((r) => r.error).length;
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
