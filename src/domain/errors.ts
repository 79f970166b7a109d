/**
 * What the catalogue says about one code.
 * - `status`: the HTTP status REST answers with (the gateway sends the code in an `error` frame).
 * - `temporary`: the same request, repeated unchanged after a pause (`Retry-After` when given),
 *   may succeed: the refusal is about the server's state or the caller's pace, not the request.
 *   Clients may retry these by themselves; every other code needs a change (or a person) first.
 */
export interface ErrorSpec {
  readonly status: number;
  readonly temporary?: true;
}

/**
 * The one catalogue of coded errors. Every client-visible failure is an {@link AppError}
 * with a stable `code`; src/transport/errors.ts maps it to an HTTP reply or an error frame.
 *
 * Not temporary on purpose: `TOO_MANY_ATTEMPTS` (the login throttle: replaying credentials by
 * machine is what it exists to slow; the person tries again), `INTERNAL` (a bug does not go away
 * by itself), `MISDIRECTED` (the load balancer must route differently).
 */
export const ErrorCatalogue = {
  BAD_REQUEST: { status: 400 },
  VALIDATION_FAILED: { status: 400 },
  INVALID_JSON: { status: 400 },
  /** A WebSocket message that does not decode under the connection's codec. */
  INVALID_FRAME: { status: 400 },
  /** A WebSocket frame with a `type` the server does not know. */
  UNKNOWN_FRAME: { status: 400 },
  UNAUTHENTICATED: { status: 401 },
  INVALID_CREDENTIALS: { status: 401 },
  /** A wrong, used or expired one-time code: TOTP, recovery, sign-in challenge, reset or verification. */
  INVALID_CODE: { status: 401 },
  /** The right password for an account an operator disabled (`parley user disable`). */
  ACCOUNT_DISABLED: { status: 403 },
  FORBIDDEN: { status: 403 },
  NOT_FOUND: { status: 404 },
  ROUTE_NOT_FOUND: { status: 404 },
  USER_NOT_FOUND: { status: 404 },
  GROUP_NOT_FOUND: { status: 404 },
  CONVERSATION_NOT_FOUND: { status: 404 },
  MESSAGE_NOT_FOUND: { status: 404 },
  MEDIA_NOT_FOUND: { status: 404 },
  REQUEST_NOT_FOUND: { status: 404 },
  MEMBER_NOT_FOUND: { status: 404 },
  /** A WebSocket upgrade sent with another method than GET. */
  METHOD_NOT_ALLOWED: { status: 405 },
  CONFLICT: { status: 409 },
  USERNAME_TAKEN: { status: 409 },
  MOBILE_TAKEN: { status: 409 },
  REQUEST_PENDING: { status: 409 },
  ALREADY_FRIENDS: { status: 409 },
  ALREADY_MEMBER: { status: 409 },
  NOT_A_MEMBER: { status: 403 },
  NOT_FRIENDS: { status: 403 },
  BLOCKED: { status: 403 },
  MUTED: { status: 403 },
  ROLE_REQUIRED: { status: 403 },
  CANNOT_TARGET_SELF: { status: 400 },
  /** Search: a query with no term of 2+ characters (or one CJK character), or over 200 characters. */
  QUERY_TOO_SHORT: { status: 400 },
  QUERY_TOO_LONG: { status: 400 },
  GROUP_FULL: { status: 409 },
  OWNER_CANNOT_LEAVE: { status: 409 },
  /** The user already has PARLEY_PUSH_MAX_DEVICES push subscriptions. */
  TOO_MANY_SUBSCRIPTIONS: { status: 409 },
  TOTP_ALREADY_ENABLED: { status: 409 },
  TOTP_NOT_PENDING: { status: 409 },
  TOTP_NOT_ENABLED: { status: 409 },
  /** Self-service e-mail (verification, reset by e-mail) on a server without PARLEY_SMTP_URL. */
  MAIL_NOT_CONFIGURED: { status: 501 },
  RECALL_WINDOW_PASSED: { status: 403 },
  /** No invite link has this code (or it was mistyped). */
  INVITE_NOT_FOUND: { status: 404 },
  /** An admin revoked the invite link. */
  INVITE_REVOKED: { status: 410 },
  INVITE_EXPIRED: { status: 410 },
  /** The invite link was used as many times as it allows. */
  INVITE_USED_UP: { status: 410 },
  /** A group keeps at most PARLEY_GROUP_INVITES_MAX links that are not revoked. */
  TOO_MANY_INVITES: { status: 409 },
  MESSAGE_RECALLED: { status: 409 },
  NOT_FORWARDABLE: { status: 400 },
  /** A new emoji on a message that already has MAX_EMOJI_PER_MESSAGE different ones. */
  TOO_MANY_REACTIONS: { status: 409 },
  /** Pinning in a conversation that already has MAX_PINS_PER_CONVERSATION pinned messages. */
  TOO_MANY_PINS: { status: 409 },
  /** The request line, headers or body did not arrive within the HTTP timeouts. */
  REQUEST_TIMEOUT: { status: 408, temporary: true },
  PAYLOAD_TOO_LARGE: { status: 413 },
  /** A picture's or video's caption over its length bound. */
  CAPTION_TOO_LONG: { status: 413 },
  /** A path (or one of its parameters) longer than the server accepts. */
  URI_TOO_LONG: { status: 414 },
  /** The request line and headers together are over Node's header size limit. */
  HEADERS_TOO_LARGE: { status: 431 },
  UNSUPPORTED_MEDIA_TYPE: { status: 415 },
  QUOTA_EXCEEDED: { status: 413 },
  IMAGE_TOO_LARGE: { status: 413 },
  NO_FILE: { status: 400 },
  TOO_MANY_FILES: { status: 400 },
  EMPTY_FILE: { status: 400 },
  MEDIA_UNREADABLE: { status: 422 },
  MEDIA_URL_INVALID: { status: 403 },
  MEDIA_URL_EXPIRED: { status: 403 },
  RANGE_NOT_SATISFIABLE: { status: 416 },
  RATE_LIMITED: { status: 429, temporary: true },
  TOO_MANY_ATTEMPTS: { status: 429 },
  TOO_MANY_CONNECTIONS: { status: 429, temporary: true },
  /** The user already has PARLEY_UPLOADS_PER_USER uploads in progress on this node. */
  TOO_MANY_UPLOADS: { status: 429, temporary: true },
  /** The request reached a node whose PARLEY_ROLE does not serve it (route the LB by path). */
  MISDIRECTED: { status: 421 },
  UNAVAILABLE: { status: 503, temporary: true },
  INTERNAL: { status: 500 },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ErrorCatalogue;

/** The HTTP status of every code (the catalogue without its flags). */
export const ErrorCodes = Object.fromEntries(
  Object.entries(ErrorCatalogue).map(([code, spec]) => [code, spec.status]),
) as {
  readonly [K in ErrorCode]: (typeof ErrorCatalogue)[K]['status'];
};

/** True when the catalogue marks `code` temporary (see {@link ErrorSpec}). */
export function isTemporary(code: ErrorCode): boolean {
  return (ErrorCatalogue[code] as ErrorSpec).temporary === true;
}

export class AppError extends Error {
  readonly status: number;
  readonly temporary: boolean;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
    this.status = ErrorCodes[code];
    this.temporary = isTemporary(code);
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** Shorthand used by services: `throw fail('NOT_FOUND', 'No such group')`. */
export function fail(code: ErrorCode, message: string, details?: Record<string, unknown>): AppError {
  return new AppError(code, message, details);
}
