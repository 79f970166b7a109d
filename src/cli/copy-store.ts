import { type Kysely, type Expression, type SqlBool, sql } from 'kysely';
import { maskUrlPasswords } from '../config-spec.js';
import { type Db, openDb } from '../store/db.js';
import { migrateToLatest } from '../store/migrations.js';
import { checkDatabase } from './preflight.js';
import { STORE_TABLES } from './store-tables.js';
import { UsageError } from './usage-error.js';

export interface CopyOptions {
  from: string;
  to: string;
  /** Empty the target's Parley tables first instead of refusing a non-empty target. */
  force?: boolean;
  /** Rows read and written per statement (default 500). */
  batch?: number;
  /** Progress lines; default stdout. */
  out?: (line: string) => void;
}

/** Both drivers refuse statements with more than 65535 parameters; stay well below. */
const MAX_PARAMS = 30_000;

/** Rows strictly after `last` in key order: `(a, b) > (x, y)`, which all three dialects read. */
function after(key: readonly string[], last: Record<string, unknown>) {
  return (eb: any): Expression<SqlBool> =>
    key.length === 1
      ? eb(key[0], '>', last[key[0]!])
      : eb(eb.refTuple(...key), '>', eb.tuple(...key.map((k) => last[k])));
}

async function rowCount(db: Kysely<any>, table: string): Promise<number> {
  const r = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * Copies a whole Parley store, table by table in key order and in batches, keeping every value
 * as it is (ids, seqs, times, password hashes and session token hashes, so users stay logged
 * in). The target is migrated first and must be empty unless `force`. The source should not be
 * in use meanwhile: stop the server, copy, and start it on the target. Media bytes are files in
 * the data dir and are not part of the store.
 */
export async function copyStore(o: CopyOptions): Promise<Record<string, number>> {
  const out = o.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  if (o.from === o.to) throw new UsageError('copy-store: --from and --to name the same database');
  await checkDatabase(o.from, '--from');
  await checkDatabase(o.to, '--to');
  let source: Db | undefined;
  let target: Db | undefined;
  try {
    source = openDb(o.from, { sqliteWriter: 'inline' });
    target = openDb(o.to, { sqliteWriter: 'inline' });
    // Both at the latest schema, so every column read has a place to go.
    await migrateToLatest(source.db, source.dialect);
    await migrateToLatest(target.db, target.dialect);
    const src = source.db as Kysely<any>;
    const dst = target.db as Kysely<any>;

    const filled: string[] = [];
    for (const t of STORE_TABLES) if ((await rowCount(dst, t.name)) > 0) filled.push(t.name);
    if (filled.length && !o.force) {
      throw new UsageError(
        `copy-store: the target ${maskUrlPasswords(o.to)} already holds data (${filled.join(', ')}); use --force to empty it first`,
      );
    }
    for (const t of [...STORE_TABLES].reverse()) if (filled.includes(t.name)) await dst.deleteFrom(t.name).execute();

    const copied: Record<string, number> = {};
    for (const t of STORE_TABLES) {
      let n = 0;
      let last: Record<string, unknown> | undefined;
      for (;;) {
        let q = src.selectFrom(t.name).selectAll();
        if (last) q = q.where(after(t.key, last));
        for (const k of t.key) q = q.orderBy(k);
        const rows = await q.limit(o.batch ?? 500).execute();
        if (rows.length === 0) break;
        const perInsert = Math.max(1, Math.floor(MAX_PARAMS / Object.keys(rows[0]!).length));
        // One transaction per batch: a failed copy leaves whole batches, and --force redoes it.
        await dst.transaction().execute(async (trx) => {
          for (let i = 0; i < rows.length; i += perInsert)
            await trx
              .insertInto(t.name)
              .values(rows.slice(i, i + perInsert))
              .execute();
        });
        n += rows.length;
        last = rows[rows.length - 1];
      }
      copied[t.name] = n;
      out(`${t.name}: ${n} row(s)`);
    }
    // Check what landed, table by table, before anyone points a server at it.
    for (const t of STORE_TABLES) {
      const got = await rowCount(dst, t.name);
      if (got !== copied[t.name])
        throw new Error(`copy-store: ${t.name} has ${got} rows in the target, ${copied[t.name]} were copied`);
    }
    if (target.dialect === 'postgres') await sql`analyze`.execute(dst);
    return copied;
  } finally {
    await source?.close().catch(() => {});
    await target?.close().catch(() => {});
  }
}
