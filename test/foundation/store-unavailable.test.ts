import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { unreachableAsUnavailable } from '../../src/store/coded-dialect.js';
import { type Db, openDb } from '../../src/store/db.js';
import { isUniqueViolation } from '../../src/store/dialect.js';
import { type TestDatabase, freshDatabase } from '../../fixtures/databases.js';
import { testDialects } from '../support/databases.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/**
 * The store's boundary: a database that cannot be reached leaves the store as the coded
 * `UNAVAILABLE` (so transports never look at driver errors), on plain queries, on connecting and
 * in the middle of a transaction; every other driver error passes through as it was, so the
 * store's own retries (unique-index races, deadlocks) still see the driver's codes.
 */
describe('unreachable → UNAVAILABLE', () => {
  it('codes connection errors, keeps the driver error as the cause, leaves the rest alone', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const coded = unreachableAsUnavailable(reset);
    expect(coded).toBeInstanceOf(AppError);
    expect(coded).toMatchObject({ code: 'UNAVAILABLE', status: 503, temporary: true, cause: reset });
    const dup = Object.assign(new Error('duplicate'), { code: '23505' });
    expect(unreachableAsUnavailable(dup)).toBe(dup);
    const already = new AppError('NOT_FOUND', 'x');
    expect(unreachableAsUnavailable(already)).toBe(already);
  });
});

const servers = testDialects().filter((d) => d !== 'sqlite');

describe.skipIf(!servers.length).each(servers)('the %s store when the database goes away', (dialect) => {
  let tdb: TestDatabase;
  let proxy: TcpProxy;
  let conn: Db;
  const db = () => conn.db as unknown as Kysely<any>;

  beforeEach(async () => {
    tdb = await freshDatabase(dialect);
    const u = new URL(tdb.url);
    proxy = await TcpProxy.start({ port: Number(u.port || (dialect === 'postgres' ? 5432 : 3306)) });
    u.hostname = '127.0.0.1';
    u.port = String(proxy.port);
    conn = openDb(u.toString(), { poolSize: 2 });
    await sql`create table probe (id integer primary key, name varchar(40) not null unique)`.execute(db());
  });
  afterEach(async () => {
    await conn.close().catch(() => {});
    await proxy.close();
    await tdb.drop();
  });

  it('a query while the database refuses connections fails as UNAVAILABLE, and works again after', async () => {
    await proxy.refuse();
    proxy.cut();
    const err = await db()
      .selectFrom('probe')
      .selectAll()
      .execute()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'UNAVAILABLE', temporary: true });
    expect((err as AppError).cause).toBeDefined();
    await proxy.restore();
    // The pool replaces its dead connections by itself.
    let rows: unknown[] | undefined;
    for (let i = 0; i < 20 && !rows; i++)
      rows = await db()
        .selectFrom('probe')
        .selectAll()
        .execute()
        .catch(() => undefined);
    expect(rows).toEqual([]);
  });

  it('a connection dropped in the middle of a transaction fails it as UNAVAILABLE and commits nothing', async () => {
    const err = await db()
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('probe').values({ id: 1, name: 'half' }).execute();
        proxy.cut();
        await new Promise((r) => setTimeout(r, 50));
        await trx.insertInto('probe').values({ id: 2, name: 'other half' }).execute();
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'UNAVAILABLE' });
    let rows: unknown[] | undefined;
    for (let i = 0; i < 20 && !rows; i++)
      rows = await db()
        .selectFrom('probe')
        .selectAll()
        .execute()
        .catch(() => undefined);
    expect(rows).toEqual([]);
  });

  it('a unique violation still comes out as the driver error (the store retries on it)', async () => {
    await db().insertInto('probe').values({ id: 1, name: 'same' }).execute();
    const err = await db()
      .transaction()
      .execute((trx) => trx.insertInto('probe').values({ id: 2, name: 'same' }).execute())
      .catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(AppError);
    expect(isUniqueViolation(err)).toBe(true);
  });
});
