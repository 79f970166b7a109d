import { AppError, type ErrorCode, isAppError } from '../domain/errors.js';
import type { ErrorFrame } from '@parley/client';

/** How loudly a transport logs a failure: client mistakes quietly, our faults loudly. */
export type ErrorLogLevel = 'debug' | 'warn' | 'error';

/**
 * A failure as every transport shows it: REST as a status and an error body, the gateway as an
 * `error` frame, a refused upgrade as a raw HTTP response. Built only by {@link toWireError}, so
 * the same thrown value looks the same on every path.
 */
export interface WireError {
  status: number;
  code: ErrorCode;
  /** Human text; clients branch on `code`, never on this. */
  message: string;
  level: ErrorLogLevel;
  /** From the catalogue: the same request may succeed if repeated unchanged later. */
  temporary: boolean;
  /** How long to wait before repeating, when known (REST sends it as `Retry-After`). */
  retryAfterMs?: number;
}

/**
 * Told of every failure as it is mapped for a transport, so refusals can be counted by code and
 * transport (the metrics). Bound to its transport by the caller; must not throw.
 */
export type RefusalObserver = (w: WireError) => void;

/** A 429 without a time of its own: the pause clients are told to take. */
const DEFAULT_RETRY_AFTER_MS = 1000;

/**
 * THE error → wire mapping of both transports. Coded errors keep their code, status and message;
 * anything else is `INTERNAL` (logged as an error, its message never shown). The store and the
 * bus already turn "unreachable" into a coded `UNAVAILABLE`; a foreign error that still says
 * `code: 'UNAVAILABLE'` is taken at its word. Transport-specific errors (Fastify's parsing and
 * validation errors) are translated into {@link AppError}s by their transport before this.
 */
export function toWireError(err: unknown, observe?: RefusalObserver): WireError {
  const w = mapError(err);
  observe?.(w);
  return w;
}

function mapError(err: unknown): WireError {
  const known = isAppError(err)
    ? err
    : (err as { code?: unknown })?.code === 'UNAVAILABLE'
      ? new AppError('UNAVAILABLE', 'The service is temporarily unavailable; try again')
      : undefined;
  if (!known) return { status: 500, code: 'INTERNAL', message: 'Internal error', level: 'error', temporary: false };
  const wire: WireError = {
    status: known.status,
    code: known.code,
    message: known.message,
    level: known.code === 'INTERNAL' ? 'error' : known.status >= 500 ? 'warn' : 'debug',
    temporary: known.temporary,
  };
  const given = Number(known.details?.retryAfterMs);
  if (Number.isFinite(given) && given >= 0) wire.retryAfterMs = given;
  else if (known.status === 429) wire.retryAfterMs = DEFAULT_RETRY_AFTER_MS;
  return wire;
}

/** The REST error body: `{"error": {"code", "message", "temporary"?}}` (`temporary` only when true). */
export function errorBody(w: Pick<WireError, 'code' | 'message' | 'temporary'>) {
  return { error: { code: w.code, message: w.message, ...(w.temporary ? { temporary: true as const } : {}) } };
}

/** The gateway's `error` frame for a failure, answering the frame with `clientId` when it had one. */
export function errorFrame(w: Pick<WireError, 'code' | 'message' | 'temporary'>, clientId?: string): ErrorFrame {
  return {
    type: 'error',
    code: w.code,
    message: w.message,
    ...(w.temporary ? { temporary: true } : {}),
    ...(clientId !== undefined ? { clientId } : {}),
  };
}

/** `Retry-After` in whole seconds (at least 1), or undefined when there is nothing to wait for. */
export function retryAfterSeconds(w: Pick<WireError, 'retryAfterMs'>): string | undefined {
  return w.retryAfterMs === undefined ? undefined : String(Math.max(1, Math.ceil(w.retryAfterMs / 1000)));
}
