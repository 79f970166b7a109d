import { type Config, ConfigError, loadConfig } from '../config.js';
import { maskSecrets, urlPasswords } from '../config-spec.js';
import { parseCli } from './args.js';
import { backup } from './backup.js';
import { copyStore } from './copy-store.js';
import { helpText } from './help.js';
import { migrate } from './migrate.js';
import { serve } from './serve.js';
import { UsageError } from './usage-error.js';
import { userCommand } from './user.js';
import { packageVersion } from '../version.js';

/** Every value that must never reach stderr: the secret and the passwords inside URLs. */
function secretsOf(env: Record<string, string | undefined>, argv: string[], config?: Config): string[] {
  const urls = [env.PARLEY_DB, env.PARLEY_REDIS, config?.db, config?.redis, ...argv.filter((a) => a.includes('://'))];
  return [env.PARLEY_SECRET, config?.secret, ...urls.flatMap((u) => urlPasswords(u))].filter((v): v is string =>
    Boolean(v),
  );
}

/**
 * The `parley` command line. Mistakes in the command line or config, unreadable TLS files and
 * unreachable databases end with one line naming the setting, exit 2; other failures one
 * line, exit 1. No stack traces, and no secret in any of them.
 */
export async function runCli(argv: string[], env: Record<string, string | undefined> = process.env): Promise<void> {
  let config: Config | undefined;
  try {
    const args = parseCli(argv);
    if (args.help) return void process.stdout.write(helpText());
    if (args.version) return void process.stdout.write(`parley ${packageVersion()}\n`);
    const [command = 'serve', ...rest] = args.words;
    if (command === 'copy-store') {
      const { from, to, force, batch } = args.opts;
      if (typeof from !== 'string' || typeof to !== 'string')
        throw new UsageError('copy-store: expected --from <url> and --to <url>');
      const size = batch === undefined ? undefined : Number(batch);
      if (size !== undefined && !(Number.isInteger(size) && size > 0))
        throw new UsageError('copy-store: --batch expects a positive integer');
      await copyStore({ from, to, force: Boolean(force), ...(size ? { batch: size } : {}) });
      return;
    }
    config = loadConfig(env, args.configArgv);
    if (command === 'serve') return await serve(config);
    if (command === 'migrate') return await migrate(config);
    if (command === 'backup') return await backup(config, rest[0]);
    if (command === 'user') return await userCommand(config, rest, args.opts);
    throw new UsageError(`unknown command ${JSON.stringify(command)} (see parley --help)`);
  } catch (e) {
    const usage = e instanceof UsageError || e instanceof ConfigError;
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`parley: ${maskSecrets(message.split('\n')[0]!, secretsOf(env, argv, config))}\n`);
    process.exit(usage ? 2 : 1);
  }
}
