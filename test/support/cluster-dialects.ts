import type { DialectName } from '../../src/store/db.js';
import { testDialects } from './databases.js';

/**
 * The dialects the multi-node fault tests run on: those of `PARLEY_TEST_DB`.
 *
 * SQLite is included for the tests whose nodes all run in this process: they share one SQLite
 * file (WAL, busy timeout), which works for them. It is left out (`serverOnly`) where a node is a
 * separate process or the database must be reachable over the network: several processes
 * writing one SQLite file fail with SQLITE_BUSY under load, and a file cannot be "unreachable".
 * A real cluster always shares PostgreSQL or MySQL (docs/operations.md).
 */
export function clusterDialects(opts: { serverOnly?: boolean } = {}): DialectName[] {
  return testDialects().filter((d) => !opts.serverOnly || d !== 'sqlite');
}

/**
 * For `describe.each`: the dialects, or one placeholder naming what is needed when the run has
 * none of them (the file's test is then reported as skipped with that reason, never passed).
 */
export function serverDialectsOrReason(): (DialectName | 'needs PARLEY_TEST_DB=postgres and/or mysql')[] {
  const list = clusterDialects({ serverOnly: true });
  return list.length ? list : ['needs PARLEY_TEST_DB=postgres and/or mysql'];
}
