import { sql, type Kysely, type Transaction } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/store/db.js';
import { isUniqueViolation } from '../../src/store/dialect.js';
import { freshDatabase, type TestDatabase } from '../../fixtures/databases.js';

/** Opens a transaction that runs `body`, then stays open until `release` is called. */
function holdTransaction(db: Kysely<any>, body: (trx: Transaction<any>) => Promise<unknown>, thenThrow = false) {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let inside!: () => void;
  const opened = new Promise<void>((r) => (inside = r));
  const done = db.transaction().execute(async (trx) => {
    await body(trx);
    inside();
    await held;
    if (thenThrow) throw new Error('abort');
  });
  return { opened, release, done };
}

// With PARLEY_SQLITE_WRITER=thread the SQLite store writes on a worker thread and reads on the
// main thread (src/store/sqlite-driver.ts). These are the properties the rest of the store relies on.
describe.each(['thread', 'inline'] as const)('SQLite store with the writer %s', (writer) => {
  let tdb: TestDatabase;
  let conn: Db;
  const db = () => conn.db as unknown as Kysely<any>;

  beforeEach(async () => {
    tdb = await freshDatabase('sqlite');
    conn = openDb(tdb.url, { sqliteWriter: writer });
    await sql`create table probe (id integer primary key, name text not null unique)`.execute(db());
  });
  afterEach(async () => {
    await conn.close();
    await tdb.drop();
  });

  it('reads outside a transaction do not wait for an open one, and do not see its rows', async () => {
    await db().insertInto('probe').values({ id: 1, name: 'committed' }).execute();
    const tx = holdTransaction(db(), (trx) => trx.insertInto('probe').values({ id: 2, name: 'uncommitted' }).execute());
    await tx.opened;
    const seen = await db().selectFrom('probe').select('name').orderBy('id').execute();
    expect(seen.map((r) => r.name)).toEqual(['committed']);
    tx.release();
    await tx.done;
    const after = await db().selectFrom('probe').select('name').orderBy('id').execute();
    expect(after.map((r) => r.name)).toEqual(['committed', 'uncommitted']);
  });

  it('a write outside a transaction waits for the open one and never joins it', async () => {
    const tx = holdTransaction(
      db(),
      (trx) => trx.insertInto('probe').values({ id: 1, name: 'rolled back' }).execute(),
      true,
    );
    await tx.opened;
    let autocommitDone = false;
    const outside = db()
      .insertInto('probe')
      .values({ id: 2, name: 'autocommit' })
      .execute()
      .then(() => (autocommitDone = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(autocommitDone).toBe(false);
    tx.release();
    await expect(tx.done).rejects.toThrow('abort');
    await outside;
    const rows = await db().selectFrom('probe').select('name').execute();
    expect(rows.map((r) => r.name)).toEqual(['autocommit']);
  });

  it('driver errors keep their codes across the thread, and the writer goes on afterwards', async () => {
    await db().insertInto('probe').values({ id: 1, name: 'a' }).execute();
    const dup = await db()
      .insertInto('probe')
      .values({ id: 2, name: 'a' })
      .execute()
      .catch((e) => e);
    expect(isUniqueViolation(dup)).toBe(true);
    const inTx = await db()
      .transaction()
      .execute((trx) => trx.insertInto('probe').values({ id: 1, name: 'b' }).execute())
      .catch((e) => e);
    expect(isUniqueViolation(inTx)).toBe(true);
    const res = await db().updateTable('probe').set({ name: 'c' }).where('id', '=', 1).executeTakeFirstOrThrow();
    expect(res.numUpdatedRows).toBe(1n);
    expect(await db().selectFrom('probe').selectAll().execute()).toEqual([{ id: 1, name: 'c' }]);
  });

  it('commits, rolls back and reports constraint errors with their codes', async () => {
    await db()
      .transaction()
      .execute((trx) => trx.insertInto('probe').values({ id: 1, name: 'a' }).execute());
    const failed = await db()
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('probe').values({ id: 2, name: 'b' }).execute();
        await trx.insertInto('probe').values({ id: 3, name: 'a' }).execute();
      })
      .catch((e) => e);
    expect(isUniqueViolation(failed)).toBe(true);
    expect(await db().selectFrom('probe').selectAll().execute()).toEqual([{ id: 1, name: 'a' }]);
  });

  it('close lets a running transaction commit first', async () => {
    const tx = holdTransaction(db(), (trx) => trx.insertInto('probe').values({ id: 1, name: 'kept' }).execute());
    await tx.opened;
    const closing = conn.close();
    setTimeout(tx.release, 20);
    await tx.done;
    await closing;
    const again = openDb(tdb.url, { sqliteWriter: writer });
    try {
      const rows = await (again.db as unknown as Kysely<any>).selectFrom('probe').select('name').execute();
      expect(rows.map((r) => r.name)).toEqual(['kept']);
    } finally {
      conn = again; // afterEach closes it
    }
  });
});

describe('SQLite writer thread', () => {
  it('keeps the event loop turning while a long write runs on the writer', async () => {
    const tdb = await freshDatabase('sqlite');
    const conn = openDb(tdb.url, { sqliteWriter: 'thread' });
    const db = () => conn.db as unknown as Kysely<any>;
    try {
      await sql`create table probe (id integer primary key, name text not null unique)`.execute(db());
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const started = performance.now();
      // One statement that keeps SQLite busy for a while: on the main thread no timer could fire.
      await sql`insert into probe (id, name)
        with recursive c(x) as (select 1 union all select x + 1 from c where x < 400000)
        select x, 'n' || x from c`.execute(db());
      const took = performance.now() - started;
      clearInterval(timer);
      const count = await db()
        .selectFrom('probe')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(400000);
      expect(took).toBeGreaterThan(50);
      expect(ticks).toBeGreaterThanOrEqual(Math.floor(took / 5 / 4));
    } finally {
      await conn.close();
      await tdb.drop();
    }
  });
});
