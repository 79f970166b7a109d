import type { DialectName } from '../../src/store/db.js';

/**
 * Which dialects a run covers: `PARLEY_TEST_DB=sqlite,postgres,mysql` (default: sqlite).
 * A dialect that is asked for and cannot be reached fails its tests; it is never skipped.
 */
export function testDialects(): DialectName[] {
  const raw = process.env.PARLEY_TEST_DB ?? 'sqlite';
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const d of list)
    if (!['sqlite', 'postgres', 'mysql'].includes(d)) throw new Error(`PARLEY_TEST_DB: unknown dialect ${d}`);
  return list as DialectName[];
}
