import type { Args } from '../lib/args.js';
import type { TestDatabase } from '../../fixtures/databases.js';
import type { Target, TargetName } from '../targets/target.js';

/** A target as a scenario asks for it: which server, which codec (Parley only), which database. */
export interface TargetSpec {
  /** Row label: `bare`, `socketio`, `parley`, `parley:msgpack`, `parley:postgres`… */
  label: string;
  name: TargetName | 'driver' | 'append' | 'parley2';
  codec?: 'json' | 'msgpack';
  dialect?: 'sqlite' | 'postgres' | 'mysql';
}

/** One measured step of one run: a label (e.g. `rate=2000`) and numbers. */
export interface Row {
  step: string;
  [metric: string]: number | string;
}

export interface ScenarioContext {
  opts: Args;
  spec: TargetSpec;
  /** Starts a server for `spec` (pinned, with benchmark limits); Parley nodes may share `db`. */
  start(extraEnv?: Record<string, string>, db?: TestDatabase): Promise<Target>;
  progress(text: string): void;
}

export interface Scenario {
  name: string;
  about: string;
  /** Targets run when `--targets` is not given. */
  defaultTargets: string[];
  /** Metrics shown as ratios to the baselines, with the better direction. */
  ratios: { metric: string; better: 'higher' | 'lower' }[];
  /** Metrics shown in the table (all are kept in the JSON). */
  columns: string[];
  run(ctx: ScenarioContext): Promise<Row[]>;
}

export function parseTargetSpec(label: string): TargetSpec {
  const [name, ...mods] = label.split(':');
  const spec: TargetSpec = { label, name: name as TargetSpec['name'] };
  for (const m of mods) {
    if (m === 'json' || m === 'msgpack') spec.codec = m;
    else if (m === 'sqlite' || m === 'postgres' || m === 'mysql') spec.dialect = m;
    else throw new Error(`unknown target modifier ${m} in ${label}`);
  }
  if (!['bare', 'socketio', 'parley', 'parley2', 'driver', 'append'].includes(spec.name))
    throw new Error(`unknown target ${name}`);
  return spec;
}
