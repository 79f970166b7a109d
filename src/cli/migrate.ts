import type { Config } from '../config.js';
import { openStore } from '../store/store.js';
import { checkDatabase } from './preflight.js';

/** Applies pending migrations; run once per new version before the nodes start. */
export async function migrate(config: Config): Promise<void> {
  await checkDatabase(config.db);
  const store = await openStore(config.db, { sqliteWriter: 'inline' });
  await store.close();
  process.stdout.write('migrations applied\n');
}
