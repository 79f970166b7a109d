import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../fixtures/databases.js';
import { chunks } from '../../src/store/chunks.js';
import { openDb, type Db } from '../../src/store/db.js';
import { keysetPage } from '../../src/store/keyset.js';
import { testDialects } from '../support/databases.js';

interface Probe {
  probe: { t: number; id: string; tag: string };
}

// Ties on the time column are the case a cursor gets wrong: three rows share t = 20.
const ROWS = [
  { t: 10, id: 'b', tag: 'x' },
  { t: 20, id: 'c', tag: 'x' },
  { t: 20, id: 'a', tag: 'x' },
  { t: 30, id: 'a', tag: 'x' },
  { t: 20, id: 'b', tag: 'x' },
  { t: 5, id: 'z', tag: 'x' },
  { t: 40, id: 'q', tag: 'other' },
];

describe.each(testDialects())('keysetPage on %s', (dialect) => {
  let tdb: TestDatabase;
  let conn: Db;
  const db = () => conn.db as unknown as Kysely<Probe>;
  beforeAll(async () => {
    tdb = await freshDatabase(dialect);
    conn = openDb(tdb.url);
    await sql`create table probe (t bigint not null, id varchar(20) not null, tag varchar(20) not null)`.execute(db());
    await db().insertInto('probe').values(ROWS).execute();
  });
  afterAll(async () => {
    await conn?.close();
    await tdb?.drop();
  });

  /** Walks the whole list in pages of `size`, the cursor taken from each page's last row. */
  async function walk(order: 'asc' | 'desc', size: number) {
    const seen: string[] = [];
    let after: { t: number; id: string } | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const q = db().selectFrom('probe').select(['t', 'id']).where('tag', '=', 'x');
      const rows = await keysetPage(q, 't', 'id', order, after ? { after, limit: size } : { limit: size }).execute();
      seen.push(...rows.map((r) => `${Number(r.t)}/${r.id}`));
      if (rows.length < size) return seen;
      const last = rows[rows.length - 1]!;
      after = { t: Number(last.t), id: last.id };
    }
    throw new Error('paging did not end');
  }

  it('pages ascending by (time, id) across ties, each row once, filters kept', async () => {
    const all = ['5/z', '10/b', '20/a', '20/b', '20/c', '30/a'];
    for (const size of [1, 2, 4, 6, 10]) expect(await walk('asc', size)).toEqual(all);
  });

  it('pages descending by (time, id) across ties, each row once', async () => {
    const all = ['30/a', '20/c', '20/b', '20/a', '10/b', '5/z'];
    for (const size of [1, 2, 4, 6, 10]) expect(await walk('desc', size)).toEqual(all);
  });
});

describe('chunks', () => {
  it('slices in order, the last slice short, nothing for an empty list', () => {
    expect([...chunks([1, 2, 3, 4, 5], 2)]).toEqual([[1, 2], [3, 4], [5]]);
    expect([...chunks([], 200)]).toEqual([]);
  });
});
