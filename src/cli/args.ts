import { type ParseArgsConfig, parseArgs } from 'node:util';
import { settings } from '../config.js';
import { UsageError } from './usage-error.js';

/** A parsed command line: the command words, the command's own options, the config flags. */
export interface CliArgs {
  /** Positionals, e.g. `['user', 'create', 'alice']`; empty means `serve`. */
  words: string[];
  help: boolean;
  version: boolean;
  /** Options of the operator commands (`--password`, `--from`, ...), by name. */
  opts: Record<string, string | boolean | undefined>;
  /** Config flags in the `--flag value` form `loadConfig` reads. */
  configArgv: string[];
}

const COMMAND_OPTIONS = {
  password: { type: 'string' },
  nickname: { type: 'string' },
  mobile: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  force: { type: 'boolean' },
  batch: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

const configFlags = Object.values(settings).flatMap((s) => (s.flag ? [s.flag.slice(2)] : []));

export function parseCli(argv: string[]): CliArgs {
  const options: NonNullable<ParseArgsConfig['options']> = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'v' },
    ...COMMAND_OPTIONS,
  };
  for (const f of configFlags) options[f] = { type: 'string' };
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: typeof options; allowPositionals: true; strict: true }>
  >;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    // parseArgs explains itself in one sentence (unknown option, missing value).
    throw new UsageError(`${(e as Error).message.split('\n')[0]!.split('. ')[0]} (see parley --help)`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const configArgv: string[] = [];
  for (const f of configFlags) {
    const v = values[f];
    if (typeof v === 'string') configArgv.push(`--${f}`, v);
  }
  const opts: CliArgs['opts'] = {};
  for (const k of Object.keys(COMMAND_OPTIONS)) opts[k] = values[k];
  return { words: parsed.positionals, help: Boolean(values.help), version: Boolean(values.version), opts, configArgv };
}
