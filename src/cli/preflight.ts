import fs from 'node:fs';
import { sql } from 'kysely';
import type { Config } from '../config.js';
import { maskUrlPasswords } from '../config-spec.js';
import { openDb } from '../store/db.js';
import { UsageError } from './usage-error.js';

/** The short reason of a system error: its errno code (`ENOENT`) when it has one. */
export function reason(e: unknown): string {
  // The store reports an outage as the coded UNAVAILABLE; the driver's own error is its cause.
  const cause =
    (e as { code?: unknown; cause?: unknown })?.code === 'UNAVAILABLE' ? (e as { cause?: unknown }).cause : undefined;
  if (cause) return reason(cause);
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  const message = e instanceof Error ? e.message : String(e);
  return (message || (typeof code === 'string' ? code : 'unknown error')).split('\n')[0]!;
}

/** The TLS files must be readable: say which variable names the one that is not. */
export function checkTlsFiles(config: Config): void {
  for (const [env, file] of [
    ['PARLEY_TLS_CERT', config.tlsCert],
    ['PARLEY_TLS_KEY', config.tlsKey],
  ] as const) {
    if (!file) continue;
    try {
      fs.readFileSync(file);
    } catch (e) {
      throw new UsageError(`${env}: cannot read ${file}: ${reason(e)}`);
    }
  }
}

/**
 * Opens the database once and asks it a trivial query, so a wrong host, port or password is
 * reported against `PARLEY_DB` (the password masked) instead of as a failed migration.
 */
export async function checkDatabase(url: string, env = 'PARLEY_DB'): Promise<void> {
  const conn = openDb(url, { sqliteWriter: 'inline', poolSize: 1 });
  try {
    await sql`select 1`.execute(conn.db);
  } catch (e) {
    throw new UsageError(`${env}: cannot connect to ${maskUrlPasswords(url)}: ${reason(e)}`);
  } finally {
    await conn.close().catch(() => {});
  }
}
