import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';
import {
  type CompiledQuery,
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
 * Parley's SQLite dialect for Kysely: Kysely's SQLite SQL, with reads and writes on separate
 * connections to the same WAL file.
 *
 * - Reads outside a transaction run at once on a `query_only` connection on the main thread.
 *   WAL readers see every commit reported so far and never wait for the writer, so a read is
 *   neither delayed by a group commit in progress nor able to see its uncommitted rows.
 * - Writes and transactions run on the writing connection, one transaction at a time behind a
 *   FIFO lock, so an autocommit write never lands inside another transaction. (Kysely's own
 *   SQLite driver puts every query behind one lock whose waiters all wake on each release:
 *   under a connect storm that lock alone was 10% of the server's CPU.)
 *
 * The writing connection lives either on a worker thread (`thread`) or on the main thread
 * (`inline`). better-sqlite3 is synchronous, so inline, a commit and its fsync stop every
 * socket of the process while they run; the thread lets the event loop go on. With one CPU the
 * thread cannot run beside the event loop and only adds hand-offs, so `inline` wins there
 * (BENCHMARKS.md).
 */
export class ParleySqliteDialect implements Dialect {
  private driver: SqliteDriver | undefined;
  constructor(private readonly config: SqliteConfig) {}
  createDriver(): Driver {
    this.driver = new SqliteDriver(this.config);
    return this.driver;
  }
  /** Writes and transactions waiting for the writing connection (for the pool metric). */
  writerQueue(): number {
    return this.driver?.writerQueue ?? 0;
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

export interface SqliteConfig {
  file: string;
  /** Applied to every connection, in order (the writer thread applies them to its own). */
  pragmas: readonly string[];
  writer: 'thread' | 'inline';
  /** Opens a connection with the pragmas of the store (the caller knows them). */
  open(): SQLite.Database;
  /** Compiled statements kept per connection. */
  statementCache: number;
}

/** What the writing connection answers for one statement. */
interface Outcome {
  rows?: unknown[];
  changes?: number;
  lastInsertRowid?: number | bigint;
}

/** The writing connection: runs one statement at a time, in the order given. */
interface Writer {
  run(sql: string, params: readonly unknown[]): Promise<Outcome>;
  close(): Promise<void>;
}

class SqliteConnection implements DatabaseConnection {
  inTransaction = false;
  constructor(private readonly driver: SqliteDriver) {}
  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.driver.execute(this, query) as Promise<QueryResult<R>>;
  }
  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const result = await this.executeQuery<R>(query);
    for (const row of result.rows) yield { rows: [row] };
  }
}

class SqliteDriver implements Driver {
  private writer: Writer | undefined;
  private reader: { db: SQLite.Database; prepare(sql: string): SQLite.Statement } | undefined;
  private readonly mutex = new Mutex();

  constructor(private readonly config: SqliteConfig) {}

  get writerQueue(): number {
    return this.mutex.waiting;
  }

  async init(): Promise<void> {
    const c = this.config;
    this.writer = c.writer === 'thread' ? await ThreadWriter.start(c) : new InlineWriter(c.open(), c.statementCache);
    // The reader opens after the writer so the file exists and is already in WAL mode.
    const db = c.open();
    db.pragma('query_only = ON');
    this.reader = { db, prepare: statementCache(db, c.statementCache) };
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new SqliteConnection(this);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await this.mutex.lock();
    try {
      await this.write('begin', []);
      (connection as SqliteConnection).inTransaction = true;
    } catch (e) {
      this.mutex.unlock();
      throw e;
    }
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    // On failure the transaction stays open and locked: Kysely rolls it back next.
    await this.write('commit', []);
    this.endTransaction(connection as SqliteConnection);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const conn = connection as SqliteConnection;
    if (!conn.inTransaction) return; // `begin` itself failed: nothing is open
    try {
      await this.write('rollback', []);
    } finally {
      this.endTransaction(conn);
    }
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    this.reader?.db.close();
    this.reader = undefined;
    if (!this.writer) return;
    await this.mutex.lock(); // let a running transaction finish first
    await this.writer.close();
  }

  /** Runs one statement: on the reader if it only reads and no transaction is open, else on the writer. */
  async execute(conn: SqliteConnection, query: CompiledQuery): Promise<QueryResult<unknown>> {
    const params = query.parameters as unknown[];
    if (conn.inTransaction) return toResult(await this.write(query.sql, params));
    const reader = this.reader;
    if (!reader) throw Object.assign(new Error('The database is closed'), { code: 'SQLITE_CLOSED' });
    const stmt = reader.prepare(query.sql);
    if (stmt.reader && stmt.readonly) return { rows: stmt.all(params) };
    await this.mutex.lock();
    try {
      return toResult(await this.write(query.sql, params));
    } finally {
      this.mutex.unlock();
    }
  }

  private write(sql: string, params: readonly unknown[]): Promise<Outcome> {
    if (!this.writer)
      return Promise.reject(Object.assign(new Error('The database is closed'), { code: 'SQLITE_CLOSED' }));
    return this.writer.run(sql, params);
  }

  private endTransaction(conn: SqliteConnection) {
    conn.inTransaction = false;
    this.mutex.unlock();
  }
}

/** The writing connection on the main thread. */
class InlineWriter implements Writer {
  private readonly prepare;
  constructor(
    private readonly db: SQLite.Database,
    cacheSize: number,
  ) {
    this.prepare = statementCache(db, cacheSize);
  }
  async run(sql: string, params: readonly unknown[]): Promise<Outcome> {
    const stmt = this.prepare(sql);
    if (stmt.reader) return { rows: stmt.all(params) };
    const r = stmt.run(params);
    return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
  }
  async close() {
    this.db.close();
  }
}

interface Reply extends Outcome {
  id: number;
  error?: { message: string; code?: string; name?: string };
}

/** The writing connection on a worker thread (`sqlite-writer-thread.js`). */
class ThreadWriter implements Writer {
  private readonly pending = new Map<number, { resolve(r: Reply): void; reject(e: unknown): void }>();
  private nextId = 1;
  private gone: Error | undefined;

  private constructor(private readonly worker: Worker) {
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
    worker.on('error', (e) =>
      die(Object.assign(new Error(`SQLite writer thread failed: ${e.message}`), { code: 'SQLITE_WRITER_GONE' })),
    );
    worker.on('exit', () =>
      die(Object.assign(new Error('SQLite writer thread has stopped'), { code: 'SQLITE_WRITER_GONE' })),
    );
    // Idle, the thread must not keep the process alive; while a statement waits, it must.
    worker.unref();
  }

  static async start(c: SqliteConfig): Promise<ThreadWriter> {
    const worker = new Worker(new URL('./sqlite-writer-thread.js', import.meta.url), {
      workerData: { file: c.file, pragmas: c.pragmas, cacheSize: c.statementCache },
    });
    await new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (r: Reply) => {
        worker.off('error', reject);
        if (r.error) reject(toError(r.error));
        else resolve();
      });
    });
    return new ThreadWriter(worker);
  }

  run(sql: string, params: readonly unknown[]): Promise<Outcome> {
    return this.post({ sql, params });
  }

  async close() {
    if (this.gone) return;
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    await this.post({ close: true }).catch(() => {});
    // The reply unrefs the worker; nothing else may hold the event loop, and a process whose
    // loop empties here would end before the thread has closed (and checkpointed) the file.
    this.worker.ref();
    await exited;
  }

  private post(body: object): Promise<Reply> {
    if (this.gone) return Promise.reject(this.gone);
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...body });
    });
  }
}

function toResult(r: Outcome): QueryResult<unknown> {
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

  /** Callers waiting for the lock (not counting its holder). */
  get waiting(): number {
    return this.waiters.length;
  }

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
