import { type SelectQueryBuilder, type StringReference, sql } from 'kysely';
import type { Cursor } from './cursor.js';

/** One page of a list: the rows after `after` (none: from the start), at most `limit`. */
export interface PageRequest {
  after?: Cursor;
  limit: number;
}

/**
 * Keyset paging over `(time, id)`, the one form every list query uses: rows strictly past the
 * cursor in the list's order, ordered by time then id, at most `limit`. Spelled as
 * `time > t or (time = t and id > k)` (`<` when descending) rather than a row-value comparison,
 * so the three dialects run the same predicate; `id` breaks ties, so no row is skipped or repeated.
 */
export function keysetPage<DB, TB extends keyof DB, O>(
  q: SelectQueryBuilder<DB, TB, O>,
  time: StringReference<DB, TB>,
  id: StringReference<DB, TB>,
  order: 'asc' | 'desc',
  page: PageRequest,
): SelectQueryBuilder<DB, TB, O> {
  const t = sql.ref(time);
  const k = sql.ref(id);
  const past = order === 'asc' ? sql.raw('>') : sql.raw('<');
  if (page.after) {
    const { t: at, id: aid } = page.after;
    q = q.where(sql<boolean>`(${t} ${past} ${at} or (${t} = ${at} and ${k} ${past} ${aid}))`);
  }
  return q.orderBy(t, order).orderBy(k, order).limit(page.limit);
}
