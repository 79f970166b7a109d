import type {
  CompiledQuery,
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import { AppError } from '../domain/errors.js';
import { isConnectionError } from './dialect.js';

/**
 * The store's boundary for "the database cannot be reached": a driver error that means so
 * (see {@link isConnectionError}) leaves the store as the coded `UNAVAILABLE`, the driver error
 * kept as its `cause` for the logs. Everything else (unique violations, deadlocks, SQLite busy)
 * passes through untouched, so the store's own retry logic still sees the driver's codes.
 */
export function unreachableAsUnavailable(e: unknown): unknown {
  if (e instanceof AppError || !isConnectionError(e)) return e;
  return new AppError('UNAVAILABLE', 'The database is unreachable; try again', undefined, { cause: e });
}

async function coded<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw unreachableAsUnavailable(e);
  }
}

/** A connection handed to Kysely; the driver underneath only ever sees its own `inner` one. */
class CodedConnection implements DatabaseConnection {
  constructor(readonly inner: DatabaseConnection) {}

  executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    return coded(this.inner.executeQuery<R>(q));
  }

  async *streamQuery<R>(q: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(q, chunkSize);
    } catch (e) {
      throw unreachableAsUnavailable(e);
    }
  }
}

const innerOf = (c: DatabaseConnection) => (c instanceof CodedConnection ? c.inner : c);

type Compile = QueryCompiler['compileQuery'];

/** Every step of the driver (connect, begin, commit, rollback, savepoints) under the same rule. */
class CodedDriver implements Driver {
  savepoint?: Driver['savepoint'];
  rollbackToSavepoint?: Driver['rollbackToSavepoint'];
  releaseSavepoint?: Driver['releaseSavepoint'];

  constructor(private readonly d: Driver) {
    // Kysely checks for these to decide whether the dialect supports savepoints: mirror them.
    const { savepoint, rollbackToSavepoint, releaseSavepoint } = d;
    if (savepoint) this.savepoint = (c, name, compile: Compile) => coded(savepoint.call(d, innerOf(c), name, compile));
    if (rollbackToSavepoint)
      this.rollbackToSavepoint = (c, name, compile: Compile) =>
        coded(rollbackToSavepoint.call(d, innerOf(c), name, compile));
    if (releaseSavepoint)
      this.releaseSavepoint = (c, name, compile: Compile) => coded(releaseSavepoint.call(d, innerOf(c), name, compile));
  }

  init() {
    return coded(this.d.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new CodedConnection(await coded(this.d.acquireConnection()));
  }

  beginTransaction(c: DatabaseConnection, settings: TransactionSettings) {
    return coded(this.d.beginTransaction(innerOf(c), settings));
  }

  commitTransaction(c: DatabaseConnection) {
    return coded(this.d.commitTransaction(innerOf(c)));
  }

  rollbackTransaction(c: DatabaseConnection) {
    return coded(this.d.rollbackTransaction(innerOf(c)));
  }

  releaseConnection(c: DatabaseConnection) {
    return this.d.releaseConnection(innerOf(c));
  }

  destroy() {
    return this.d.destroy();
  }
}

/** `dialect` with its driver wrapped by the unreachable → `UNAVAILABLE` rule above. */
export function codedDialect(dialect: Dialect): Dialect {
  return {
    createDriver: () => new CodedDriver(dialect.createDriver()),
    createQueryCompiler: (): QueryCompiler => dialect.createQueryCompiler(),
    createAdapter: (): DialectAdapter => dialect.createAdapter(),
    createIntrospector: (db: Kysely<any>): DatabaseIntrospector => dialect.createIntrospector(db),
  };
}
