import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { openStore } from './store/store.js';

/** CLI entry: `serve` (default) or `migrate`. Bad config ends with one clear line, exit 2. */
async function main(argv: string[]) {
  const command = argv[0] && !argv[0].startsWith('--') ? argv.shift()! : 'serve';
  let config;
  try {
    config = loadConfig(process.env, argv);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`parley: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }

  if (command === 'migrate') {
    const store = await openStore(config.db);
    await store.close();
    process.stdout.write('migrations applied\n');
    return;
  }
  if (command !== 'serve') {
    process.stderr.write(`parley: unknown command ${JSON.stringify(command)}; expected serve or migrate\n`);
    process.exit(2);
  }

  const app = await createApp(config);
  const url = await app.listen();
  app.log.info({ url, db: config.db.split(':')[0], redis: Boolean(config.redis), role: config.role }, 'parley listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      app.log.error({}, 'shutdown grace period passed; exiting');
      process.exit(1);
    }, config.shutdownGrace + 1000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err) => {
        app.log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`parley: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
