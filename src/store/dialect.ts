/** The three SQL dialects the store runs on. */
export type DialectName = 'sqlite' | 'postgres' | 'mysql';

/** True when a driver error is a unique-constraint violation, in any of the three dialects. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; errno?: number; message?: string };
  return (
    err?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    err?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    err?.code === '23505' ||
    err?.code === 'ER_DUP_ENTRY' ||
    err?.errno === 1062
  );
}

/** Which unique index a violation hit, when the driver says (used to tell username from mobile). */
export function violatedConstraint(e: unknown): string {
  const err = e as { message?: string; constraint?: string };
  return `${err?.constraint ?? ''} ${err?.message ?? ''}`;
}

/** True for errors that mean "the database is not reachable right now". */
export function isConnectionError(e: unknown): boolean {
  const code = (e as { code?: string })?.code ?? '';
  return (
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'EPIPE',
      'PROTOCOL_CONNECTION_LOST',
      '57P01',
      '08006',
      '08001',
      '08003',
      'ENOTFOUND',
      'EHOSTUNREACH',
    ].includes(code) ||
    // pg: a client whose socket dropped mid-transaction answers its next statement (the
    // rollback included) with "…has encountered a connection error and is not queryable".
    /Connection terminated|connect ECONNREFUSED|Connection lost|closed state|not queryable/i.test(
      String((e as Error)?.message ?? ''),
    )
  );
}

/** Deadlocks and serialization failures: the transaction may simply be retried. */
export function isRetryable(e: unknown, dialect: DialectName): boolean {
  const code = (e as { code?: string; errno?: number })?.code;
  if (dialect === 'postgres') return code === '40001' || code === '40P01';
  if (dialect === 'mysql') return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
  return code === 'SQLITE_BUSY';
}
