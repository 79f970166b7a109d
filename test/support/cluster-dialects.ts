import type { DialectName } from '../../src/store/db.js';
import { testDialects } from './databases.js';

/**
 * The dialects the multi-node fault tests run on: those of `PARLEY_TEST_DB`. SQLite runs too:
 * the in-process nodes of a test share one SQLite file (WAL, busy timeout), which stands for
 * a cluster well enough for these tests (a real deployment shares PostgreSQL or MySQL).
 */
export function clusterDialects(): DialectName[] {
  return testDialects();
}
