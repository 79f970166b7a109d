import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect } from 'kysely';
import { createPool as createMysqlPool } from 'mysql2';
import pg from 'pg';
import type { Database } from './schema.js';
import { codedDialect } from './coded-dialect.js';
import type { DialectName } from './dialect.js';
import { ParleySqliteDialect, statementCache } from './sqlite-driver.js';

const STATEMENT_CACHE = 500;

export type { DialectName };

export interface DbOptions {
  sqliteSynchronous?: 'FULL' | 'NORMAL';
  /** `auto` (default): a writer thread when the process may run on two or more CPUs. */
  sqliteWriter?: 'auto' | 'thread' | 'inline';
  poolSize?: number;
}

/**
 * How busy the database connections are, read at scrape time. PostgreSQL and MySQL: the pool's
 * open connections, the idle ones among them, and the queries waiting for one. SQLite has no
 * pool: what queues is the one writing connection, so `writerQueue` counts the writes and
 * transactions waiting for it (reads never wait).
 */
export type PoolStats = { total: number; idle: number; waiting: number } | { writerQueue: number };

export interface Db {
  db: Kysely<Database>;
  dialect: DialectName;
  close(): Promise<void>;
  /** A snapshot of {@link PoolStats}; cheap and never throws. */
  poolStats(): PoolStats;
}

export function dialectOf(url: string): DialectName {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (url.startsWith('postgres')) return 'postgres';
  if (url.startsWith('mysql:')) return 'mysql';
  throw new Error(`Unsupported database URL scheme: ${url.split(':')[0]}`);
}

/**
 * Opens a Kysely instance for any of the three dialects; the only place that knows drivers.
 * Every dialect is wrapped by `codedDialect`: an unreachable database fails as `UNAVAILABLE`.
 */
export function openDb(url: string, opts: DbOptions = {}): Db {
  const dialect = dialectOf(url);
  let db: Kysely<Database>;
  let poolStats: () => PoolStats = () => ({ writerQueue: 0 });
  if (dialect === 'sqlite') {
    const file = url.slice('sqlite:'.length);
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    // Every connection, the writer thread's included, gets the same pragmas. FULL fsyncs the
    // WAL on every commit (safe on power loss); NORMAL only at checkpoints (safe when the process
    // dies, not when the machine does). Group commit amortizes either.
    const pragmas = [
      'journal_mode = WAL',
      `synchronous = ${opts.sqliteSynchronous ?? 'FULL'}`,
      'busy_timeout = 5000',
      'foreign_keys = OFF',
    ];
    const open = () => {
      const sqlite = new SQLite(file);
      for (const p of pragmas) sqlite.pragma(p);
      return sqlite;
    };
    if (file === ':memory:' || file === '') {
      // A private in-memory database exists only on its one connection: Kysely's own driver.
      const sqlite = open();
      const prepare = statementCache(sqlite, STATEMENT_CACHE);
      db = new Kysely<Database>({
        dialect: codedDialect(new SqliteDialect({ database: { close: () => sqlite.close(), prepare } })),
      });
    } else {
      // `availableParallelism` honours the CPU affinity mask (taskset, cpusets).
      const auto = os.availableParallelism() > 1 ? 'thread' : 'inline';
      const writer = !opts.sqliteWriter || opts.sqliteWriter === 'auto' ? auto : opts.sqliteWriter;
      const sqliteDialect = new ParleySqliteDialect({ file, pragmas, writer, open, statementCache: STATEMENT_CACHE });
      poolStats = () => ({ writerQueue: sqliteDialect.writerQueue() });
      db = new Kysely<Database>({ dialect: codedDialect(sqliteDialect) });
    }
  } else if (dialect === 'postgres') {
    const pool = new pg.Pool({
      connectionString: url,
      max: opts.poolSize ?? 10,
      // int8 (bigint) columns hold epoch ms and seqs, all far below 2^53.
      types: {
        getTypeParser: (oid: number, format?: any) =>
          oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format),
      } as any,
    });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    // A client checked out by a transaction has no pool listener: when the database goes away
    // between two of its statements, pg emits 'error' on it, and unheard that ends the process.
    // The failure still reaches the statement's promise (coded UNAVAILABLE by codedDialect).
    pool.on('connect', (client) => client.on('error', () => {}));
    poolStats = () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount });
    db = new Kysely<Database>({ dialect: codedDialect(new PostgresDialect({ pool })) });
  } else {
    const pool = createMysqlPool({
      uri: url,
      connectionLimit: opts.poolSize ?? 10,
      supportBigNumbers: true,
      bigNumberStrings: false,
      charset: 'utf8mb4',
      timezone: 'Z',
    });
    pool.on('connection', (conn: any) => conn.on('error', () => {}));
    // mysql2 has no public counters; these queues are what its own pool logic reads.
    const q = pool as unknown as Record<
      '_allConnections' | '_freeConnections' | '_connectionQueue',
      { length: number }
    >;
    poolStats = () => ({
      total: q._allConnections?.length ?? 0,
      idle: q._freeConnections?.length ?? 0,
      waiting: q._connectionQueue?.length ?? 0,
    });
    db = new Kysely<Database>({ dialect: codedDialect(new MysqlDialect({ pool })) });
  }
  return { db, dialect, close: () => db.destroy(), poolStats: () => poolStats() };
}
