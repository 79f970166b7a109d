/**
 * The one catalogue of coded errors. Every client-visible failure is an {@link AppError}
 * with a stable `code`; HTTP maps it to a status, the gateway to an error frame.
 */
export const ErrorCodes = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  /** A WebSocket message that does not decode under the connection's codec. */
  INVALID_FRAME: 400,
  /** A WebSocket frame with a `type` the server does not know. */
  UNKNOWN_FRAME: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  /** The right password for an account an operator disabled (`parley user disable`). */
  ACCOUNT_DISABLED: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  GROUP_NOT_FOUND: 404,
  CONVERSATION_NOT_FOUND: 404,
  MESSAGE_NOT_FOUND: 404,
  MEDIA_NOT_FOUND: 404,
  REQUEST_NOT_FOUND: 404,
  MEMBER_NOT_FOUND: 404,
  /** A WebSocket upgrade sent with another method than GET. */
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  USERNAME_TAKEN: 409,
  MOBILE_TAKEN: 409,
  REQUEST_PENDING: 409,
  ALREADY_FRIENDS: 409,
  ALREADY_MEMBER: 409,
  NOT_A_MEMBER: 403,
  NOT_FRIENDS: 403,
  BLOCKED: 403,
  MUTED: 403,
  ROLE_REQUIRED: 403,
  CANNOT_TARGET_SELF: 400,
  GROUP_FULL: 409,
  OWNER_CANNOT_LEAVE: 409,
  RECALL_WINDOW_PASSED: 403,
  /** The request line, headers or body did not arrive within the HTTP timeouts. */
  REQUEST_TIMEOUT: 408,
  PAYLOAD_TOO_LARGE: 413,
  /** A path (or one of its parameters) longer than the server accepts. */
  URI_TOO_LONG: 414,
  /** The request line and headers together are over Node's header size limit. */
  HEADERS_TOO_LARGE: 431,
  UNSUPPORTED_MEDIA_TYPE: 415,
  QUOTA_EXCEEDED: 413,
  IMAGE_TOO_LARGE: 413,
  NO_FILE: 400,
  TOO_MANY_FILES: 400,
  EMPTY_FILE: 400,
  MEDIA_UNREADABLE: 422,
  MEDIA_URL_INVALID: 403,
  MEDIA_URL_EXPIRED: 403,
  RANGE_NOT_SATISFIABLE: 416,
  RATE_LIMITED: 429,
  TOO_MANY_ATTEMPTS: 429,
  TOO_MANY_CONNECTIONS: 429,
  /** The request reached a node whose PARLEY_ROLE does not serve it (route the LB by path). */
  MISDIRECTED: 421,
  UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ErrorCodes[code];
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** Shorthand used by services: `throw fail('NOT_FOUND', 'No such group')`. */
export function fail(code: ErrorCode, message: string, details?: Record<string, unknown>): AppError {
  return new AppError(code, message, details);
}
