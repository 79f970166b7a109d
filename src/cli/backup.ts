import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import type { Config } from '../config.js';
import { maskUrlPasswords } from '../config-spec.js';
import { reason } from './preflight.js';
import { UsageError } from './usage-error.js';

/**
 * Online backup of the SQLite database with SQLite's backup API: it copies pages from a
 * consistent snapshot while the server goes on reading and writing (WAL), and the result is a
 * whole database file that opens by itself (no -wal beside it).
 */
export async function backup(config: Config, target: string | undefined): Promise<void> {
  if (!target) throw new UsageError('backup: expected a target file, e.g. parley backup backup.db');
  if (!config.db.startsWith('sqlite:')) {
    throw new UsageError(
      `backup: ${maskUrlPasswords(config.db)} is not SQLite; back up PostgreSQL or MySQL with their own tools (pg_dump, mysqldump)`,
    );
  }
  const file = config.db.slice('sqlite:'.length);
  if (fs.existsSync(target)) throw new UsageError(`backup: ${target} exists; choose a new file`);
  let db: SQLite.Database;
  try {
    db = new SQLite(file, { fileMustExist: true });
  } catch (e) {
    throw new UsageError(`PARLEY_DB: cannot open ${file}: ${reason(e)}`);
  }
  try {
    // Busy readers or writers never fail the backup; SQLite restarts the step that saw a change.
    db.pragma('busy_timeout = 5000');
    fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
    const { totalPages } = await db.backup(target);
    process.stdout.write(`backed up ${file} to ${target} (${totalPages} pages)\n`);
  } finally {
    db.close();
  }
}
