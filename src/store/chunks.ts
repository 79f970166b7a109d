/**
 * Rows per multi-row INSERT, for every table. Entries, the widest rows batched, have 11 columns:
 * 200 rows bind 2,200 parameters, far under SQLite's 32,766 and the 65,535 of PostgreSQL and
 * MySQL.
 */
export const INSERT_CHUNK = 200;

/** `items` in consecutive slices of at most `size` (none for an empty list). */
export function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
