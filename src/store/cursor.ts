/** Keyset paging shared by list queries (no database imports: services decode cursors too). */

/** Keyset cursor over `(time, id)`: opaque to clients, stable under inserts. */
export interface Cursor {
  t: number;
  id: string;
}

export function encodeCursor(t: number, id: string): string {
  return Buffer.from(`${t}.${id}`).toString('base64url');
}

/** Undefined for a malformed cursor; callers answer VALIDATION_FAILED. */
export function decodeCursor(raw: string): Cursor | undefined {
  const m = /^(\d{1,16})\.([0-9a-z]{1,40})$/.exec(Buffer.from(raw, 'base64url').toString('utf8'));
  return m ? { t: Number(m[1]), id: m[2]! } : undefined;
}
