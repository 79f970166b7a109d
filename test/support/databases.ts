import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createConnection } from 'mysql2/promise';
import pg from 'pg';
import type { DialectName } from '../../src/store/db.js';

/**
 * Which dialects a run covers: `PARLEY_TEST_DB=sqlite,postgres,mysql` (default: sqlite).
 * A dialect that is asked for and cannot be reached fails its tests; it is never skipped.
 */
export function testDialects(): DialectName[] {
  const raw = process.env.PARLEY_TEST_DB ?? 'sqlite';
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const d of list) if (!['sqlite', 'postgres', 'mysql'].includes(d)) throw new Error(`PARLEY_TEST_DB: unknown dialect ${d}`);
  return list as DialectName[];
}

const PG_ADMIN = process.env.PARLEY_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const MYSQL_ADMIN = process.env.PARLEY_TEST_MYSQL ?? 'mysql://root@127.0.0.1:3306/test';

export interface TestDatabase {
  dialect: DialectName;
  url: string;
  drop(): Promise<void>;
}

/** A brand-new, empty database of the given dialect, with its own name so runs never collide. */
export async function freshDatabase(dialect: DialectName): Promise<TestDatabase> {
  const name = `parley_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-db-'));
    return { dialect, url: `sqlite:${path.join(dir, 'parley.db')}`, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  if (dialect === 'postgres') {
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(PG_ADMIN);
    url.pathname = `/${name}`;
    return {
      dialect, url: url.toString(),
      drop: async () => {
        const c = new pg.Client({ connectionString: PG_ADMIN });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      },
    };
  }
  const admin = await createConnection({ uri: MYSQL_ADMIN });
  await admin.query(`create database ${name} character set utf8mb4 collate utf8mb4_bin`);
  await admin.end();
  const url = new URL(MYSQL_ADMIN);
  url.pathname = `/${name}`;
  return {
    dialect, url: url.toString(),
    drop: async () => {
      const c = await createConnection({ uri: MYSQL_ADMIN });
      await c.query(`drop database if exists ${name}`);
      await c.end();
    },
  };
}
