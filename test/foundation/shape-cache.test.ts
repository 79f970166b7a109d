import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/store/db.js';
import { ShapeCache } from '../../src/store/shape-cache.js';
import { freshDatabase, type TestDatabase } from '../../fixtures/databases.js';
import { testDialects } from '../support/databases.js';

describe.each(testDialects())('ShapeCache on %s', (dialect) => {
  let tdb: TestDatabase;
  let conn: Db;
  const db = () => conn.db as unknown as Kysely<any>;
  beforeAll(async () => {
    tdb = await freshDatabase(dialect);
    conn = openDb(tdb.url);
    await sql`create table probe (a integer not null, b varchar(20), c varchar(20))`.execute(db());
  });
  afterAll(async () => {
    await conn?.close();
    await tdb?.drop();
  });

  it('runs later queries of a shape with their own parameters, nulls included', async () => {
    const cache = new ShapeCache();
    const insert = (rows: { a: number; b: string | null; c: string | null }[]) =>
      cache.execute(
        db(),
        `insert:${rows.length}`,
        rows.flatMap((r) => [r.a, r.b, r.c]),
        () => db().insertInto('probe').values(rows),
      );
    await insert([
      { a: 1, b: 'x', c: null },
      { a: 2, b: null, c: 'y' },
    ]);
    await insert([
      { a: 3, b: 'p', c: 'q' },
      { a: 4, b: null, c: null },
    ]);
    await insert([{ a: 5, b: 'one', c: 'row' }]);
    const rows = await db().selectFrom('probe').selectAll().orderBy('a').execute();
    expect(rows).toEqual([
      { a: 1, b: 'x', c: null },
      { a: 2, b: null, c: 'y' },
      { a: 3, b: 'p', c: 'q' },
      { a: 4, b: null, c: null },
      { a: 5, b: 'one', c: 'row' },
    ]);
    const pick = (pairs: [number, string][]) =>
      cache.execute<{ a: number }>(db(), `pick:${pairs.length}`, pairs.flat(), () =>
        db()
          .selectFrom('probe')
          .select('a')
          .where((eb) => eb.or(pairs.map(([a, b]) => eb.and([eb('a', '=', a), eb('b', '=', b)]))))
          .orderBy('a'),
      );
    expect(
      (
        await pick([
          [1, 'x'],
          [3, 'p'],
        ])
      ).rows,
    ).toEqual([{ a: 1 }, { a: 3 }]);
    expect(
      (
        await pick([
          [5, 'one'],
          [3, 'nope'],
        ])
      ).rows,
    ).toEqual([{ a: 5 }]);
  });

  it('refuses parameters listed in an order other than the one Kysely binds', async () => {
    const cache = new ShapeCache();
    const wrong = cache.execute(db(), 'insert:1', ['x', 9, null], () =>
      db().insertInto('probe').values({ a: 9, b: 'x', c: null }),
    );
    await expect(wrong).rejects.toThrow(/not in Kysely's order/);
    expect(await db().selectFrom('probe').select('a').where('a', '=', 9).execute()).toEqual([]);
  });
});
