import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';

/**
 * better-sqlite3 is synchronous: a commit with `synchronous = FULL` waits for the WAL fsync
 * (~7 ms on this machine's disk) with the event loop blocked, so every socket stalls once per
 * group commit (BENCHMARKS.md, "direct"). This dialect keeps Kysely's SQLite SQL and moves
 * every write to a worker thread that owns the only writing connection, so the main thread
 * goes on serving sockets while SQLite fsyncs.
 *
 * Reads outside a transaction stay on the main thread, on a second connection to the same
 * file set `query_only`: WAL lets readers run beside the writer and see every commit the
 * writer has reported, so they neither wait for a commit in progress nor pay a thread hop.
 * Reads inside a transaction go to the writer, on the transaction's own connection.
 *
 * The writer connection runs one transaction at a time, as Kysely's own SQLite driver does:
 * a transaction, or a single write outside one, holds a mutex for its whole duration, so an
 * autocommit write never lands inside someone else's transaction.
 */
export class SqliteThreadDialect implements Dialect {
  constructor(private readonly config: SqliteThreadConfig) {}
  createDriver(): Driver {
    return new SqliteThreadDriver(this.config);
  }
  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }
  createAdapter() {
    return new SqliteAdapter();
  }
  createIntrospector(db: Kysely<any>) {
    return new SqliteIntrospector(db);
  }
}

export interface SqliteThreadConfig {
  file: string;
  synchronous: 'FULL' | 'NORMAL';
  /** The main thread's read connection, opened by the caller (it knows the pragmas). */
  openReader(): SQLite.Database;
  /** Compiled statements kept per connection. */
  statementCache: number;
}

interface Reply {
  id: number;
  ready?: boolean;
  closed?: boolean;
  rows?: unknown[];
  changes?: number;
  lastInsertRowid?: number | bigint;
  error?: { message: string; code?: string; name?: string };
}

class ThreadConnection implements DatabaseConnection {
  inTransaction = false;
  constructor(private readonly driver: SqliteThreadDriver) {}
  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.driver.execute(this, query) as Promise<QueryResult<R>>;
  }
  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const result = await this.executeQuery<R>(query);
    for (const row of result.rows) yield { rows: [row] };
  }
}

class SqliteThreadDriver implements Driver {
  private worker: Worker | undefined;
  private reader: { db: SQLite.Database; prepare(sql: string): SQLite.Statement } | undefined;
  private readonly pending = new Map<number, { resolve(r: Reply): void; reject(e: unknown): void }>();
  private nextId = 1;
  private gone: Error | undefined;
  private readonly mutex = new Mutex();

  constructor(private readonly config: SqliteThreadConfig) {}

  async init(): Promise<void> {
    const worker = new Worker(new URL('./sqlite-worker.js', import.meta.url), {
      workerData: { file: this.config.file, synchronous: this.config.synchronous, cacheSize: this.config.statementCache },
    });
    this.worker = worker;
    await new Promise<void>((resolve, reject) => {
      const onStart = (r: Reply) => {
        worker.off('error', reject);
        if (r.error) reject(toError(r.error));
        else resolve();
      };
      worker.once('message', onStart);
      worker.once('error', reject);
    });
    worker.on('message', (r: Reply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (this.pending.size === 0) worker.unref();
      if (r.error) p.reject(toError(r.error));
      else p.resolve(r);
    });
    const die = (why: Error) => {
      this.gone ??= why;
      for (const p of this.pending.values()) p.reject(why);
      this.pending.clear();
    };
    worker.on('error', (e) => die(Object.assign(new Error(`SQLite writer thread failed: ${e.message}`), { code: 'SQLITE_WRITER_GONE' })));
    worker.on('exit', () => die(Object.assign(new Error('SQLite writer thread has stopped'), { code: 'SQLITE_WRITER_GONE' })));
    // Idle, the thread must not keep the process alive; while a query waits, it must.
    worker.unref();
    // The reader opens after the writer so the file exists and is already in WAL mode.
    const db = this.config.openReader();
    db.pragma('query_only = ON');
    this.reader = { db, prepare: statementCache(db, this.config.statementCache) };
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new ThreadConnection(this);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const conn = connection as ThreadConnection;
    await this.mutex.lock();
    try {
      await this.send('begin', []);
      conn.inTransaction = true;
    } catch (e) {
      this.mutex.unlock();
      throw e;
    }
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    // On failure the transaction stays open and locked: Kysely rolls it back next.
    await this.send('commit', []);
    this.endTransaction(connection as ThreadConnection);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const conn = connection as ThreadConnection;
    if (!conn.inTransaction) return; // `begin` itself failed: nothing is open
    try {
      await this.send('rollback', []);
    } finally {
      this.endTransaction(conn);
    }
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    this.reader?.db.close();
    this.reader = undefined;
    const worker = this.worker;
    if (!worker || this.gone) return;
    await this.mutex.lock(); // let a running transaction finish first
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    await this.send('', [], true).catch(() => {});
    await exited;
  }

  /** Runs one statement: locally if it only reads and no transaction is open, else on the writer. */
  async execute(conn: ThreadConnection, query: CompiledQuery): Promise<QueryResult<unknown>> {
    const params = query.parameters as unknown[];
    if (conn.inTransaction) return toResult(await this.send(query.sql, params));
    const reader = this.reader;
    if (!reader) throw Object.assign(new Error('The database is closed'), { code: 'SQLITE_WRITER_GONE' });
    const stmt = reader.prepare(query.sql);
    if (stmt.reader && stmt.readonly) return { rows: stmt.all(params) };
    await this.mutex.lock();
    try {
      return toResult(await this.send(query.sql, params));
    } finally {
      this.mutex.unlock();
    }
  }

  private endTransaction(conn: ThreadConnection) {
    conn.inTransaction = false;
    this.mutex.unlock();
  }

  private send(sql: string, params: readonly unknown[], close = false): Promise<Reply> {
    if (this.gone) return Promise.reject(this.gone);
    const worker = this.worker!;
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, { resolve, reject });
      worker.postMessage(close ? { id, close: true } : { id, sql, params });
    });
  }
}

function toResult(r: Reply): QueryResult<unknown> {
  if (r.changes === undefined) return { rows: r.rows ?? [] };
  return {
    rows: [],
    numAffectedRows: BigInt(r.changes),
    insertId: r.lastInsertRowid === undefined ? undefined : BigInt(r.lastInsertRowid),
  };
}

/** Rebuilds the thread's error with the fields the store inspects (`code`: unique violations, busy). */
function toError(e: NonNullable<Reply['error']>): Error {
  const err = new Error(e.message);
  if (e.name) err.name = e.name;
  return Object.assign(err, { code: e.code });
}

/**
 * better-sqlite3 compiles SQL on every `prepare` and Kysely prepares every query, so compiled
 * statements are kept by SQL text (bounded LRU). Safe because a connection runs one statement
 * at a time and `all`/`run` finish synchronously.
 */
export function statementCache(db: SQLite.Database, max: number) {
  const cache = new Map<string, SQLite.Statement>();
  return (sql: string) => {
    let stmt = cache.get(sql);
    if (stmt) {
      cache.delete(sql); // re-insert: the least recently used is evicted first
    } else {
      stmt = db.prepare(sql);
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, stmt);
    return stmt;
  };
}

/** A FIFO lock: ownership passes straight to the next waiter, in arrival order. */
class Mutex {
  private waiters: Array<() => void> = [];
  private held = false;

  lock(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  unlock() {
    const next = this.waiters.shift();
    if (next) next();
    else this.held = false;
  }
}

