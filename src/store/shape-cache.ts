import { type Compilable, CompiledQuery, type Kysely, type QueryResult } from 'kysely';

/**
 * SQL text per query *shape*, for hot queries whose SQL depends only on how many rows or terms
 * they carry. Kysely builds an operation tree and compiles it on every call; for the group
 * commit's multi-row insert (200 rows × 11 columns) that was most of the commit's CPU
 * (BENCHMARKS.md, "direct"). The first query of a shape is built and compiled by Kysely as
 * usual; later ones reuse its SQL with their own parameters, which the caller lists in the
 * order Kysely binds them (row by row, column by column as in the first row's keys). The
 * first query of every shape checks that order against Kysely's own parameters.
 */
export class ShapeCache {
  private readonly sqlByShape = new Map<string, string>();

  constructor(private readonly max = 512) {}

  async execute<R>(
    db: Kysely<any>,
    shape: string,
    params: readonly unknown[],
    build: () => Compilable,
  ): Promise<QueryResult<R>> {
    const known = this.sqlByShape.get(shape);
    if (known !== undefined) return db.executeQuery<R>(CompiledQuery.raw(known, params as unknown[]));
    const compiled = build().compile();
    const same = compiled.parameters.length === params.length && compiled.parameters.every((p, i) => p === params[i]);
    if (!same) throw new Error(`ShapeCache: parameters of ${shape} are not in Kysely's order`);
    if (this.sqlByShape.size < this.max) this.sqlByShape.set(shape, compiled.sql);
    return db.executeQuery<R>(compiled as CompiledQuery<R>);
  }
}

const perDb = new WeakMap<Kysely<any>, ShapeCache>();

/**
 * The cache shared by the repositories of one database (SQL text differs per dialect). Used
 * for the lookups every connect and every authenticated request makes (session by token,
 * memberships, contacts, groups): Kysely compiling them was 8% of a connect (BENCHMARKS.md).
 */
export function shapesOf(db: Kysely<any>): ShapeCache {
  let c = perDb.get(db);
  if (!c) perDb.set(db, (c = new ShapeCache()));
  return c;
}
