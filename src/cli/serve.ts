import { createApp } from '../app.js';
import type { Config } from '../config.js';
import { checkDatabase, checkTlsFiles } from './preflight.js';

/** Past the grace, the store close itself may hang (a dead database): give up this long after. */
const BACKSTOP_MS = 5000;

/**
 * Runs the server until SIGTERM or SIGINT, then stops gracefully: the drain (requests in flight
 * finish, within `PARLEY_SHUTDOWN_GRACE`), then the writer flush and the store close, which
 * always run. Exits 0 when everything finished in time.
 */
export async function serve(config: Config): Promise<void> {
  checkTlsFiles(config);
  await checkDatabase(config.db);
  const app = await createApp(config);
  const url = await app.listen();
  app.log.info(
    { url, db: config.db.split(':')[0], redis: Boolean(config.redis), role: config.role },
    'parley listening',
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    setTimeout(() => {
      app.log.error({}, 'shutdown did not finish; exiting');
      process.exit(1);
    }, config.shutdownGrace + BACKSTOP_MS);
    // Left referenced on purpose: it keeps the process alive until the close has finished,
    // even if every handle the close waits for is unreferenced.
    // Log lines are written asynchronously: flush them before the process ends.
    const exit = (code: number) => app.log.flush(() => process.exit(code));
    app.close().then(
      () => {
        app.log.info({}, 'stopped');
        exit(0);
      },
      (err) => {
        app.log.error({ err }, 'error during shutdown');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
