import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { PrivateUser as PrivateUserType, PublicUser as PublicUserType, SessionView } from '@parley/client';

/** Shared TypeBox schemas: they validate requests and generate the OpenAPI document. */
export const Id = Type.String({ pattern: '^[0-9a-hjkmnp-tv-z]{26}$', description: 'A 26-character random id' });
export const Username = Type.String({
  pattern: '^[A-Za-z][A-Za-z0-9_.]{2,31}$',
  description: '3–32 characters: letters, digits, _ and ., starting with a letter; unique ignoring case',
});
export const Mobile = Type.String({ pattern: '^\\+?[0-9]{5,19}$', description: 'Digits, optionally with a leading +' });
export const Password = Type.String({ minLength: 8, maxLength: 128 });
export const Nickname = Type.String({ minLength: 1, maxLength: 64, pattern: '\\S' });
export const Gender = Type.Union([
  Type.Literal('unspecified'),
  Type.Literal('male'),
  Type.Literal('female'),
  Type.Literal('other'),
]);
export const Bio = Type.String({ maxLength: 512 });
/** Who may see when a user was last online (docs/protocol.md, "Last seen"). */
export const LastSeenPrivacy = Type.Union(
  [Type.Literal('everyone'), Type.Literal('contacts'), Type.Literal('nobody')],
  { description: 'Who may see when I was last online; `nobody` also hides everyone else’s from me' },
);
export const Device = Type.String({ minLength: 1, maxLength: 128 });

export const ErrorReply = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      temporary: Type.Optional(
        Type.Literal(true, { description: 'Present when the same request may succeed if repeated unchanged later' }),
      ),
    }),
  },
  {
    $id: 'ErrorReply',
    description: 'Every failure: a stable code, a human message, and `temporary` for retryable ones',
  },
);

/*
 * Named shapes (`$id`): each is registered once with `app.addSchema` (see components.ts) and
 * used through `ref`, never inline, so the document names it in `components.schemas` and a
 * client generator gives it a type of its own. Inlining one would also repeat its `$id`.
 */

const publicUserFields = {
  id: Id,
  username: Type.String(),
  nickname: Type.String(),
  avatar: Type.Union([Type.String(), Type.Null()], { description: 'A media id, or null' }),
  gender: Type.String(),
  bio: Type.String(),
  deleted: Type.Optional(Type.Literal(true, { description: 'A deleted account (its profile is erased)' })),
};
export const PublicUser = Type.Object(publicUserFields, { $id: 'PublicUser', description: 'What anyone may see' });

export const PrivateUser = Type.Object(
  {
    ...publicUserFields,
    mobile: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.Number({ description: 'Epoch ms' }),
    lastSeen: LastSeenPrivacy,
  },
  { $id: 'PrivateUser', description: 'What a user sees of themselves' },
);

export const Session = Type.Object(
  {
    id: Id,
    device: Type.String(),
    ip: Type.String(),
    createdAt: Type.Number(),
    lastSeenAt: Type.Number(),
    current: Type.Boolean({ description: 'The session asking' }),
  },
  { $id: 'Session', description: 'One of my live sessions' },
);

export const AuthReply = Type.Object(
  {
    user: Type.Unsafe<PrivateUserType>(Type.Ref('PrivateUser')),
    token: Type.String({ description: 'Bearer token; shown only here' }),
  },
  { $id: 'AuthReply', description: 'A new session and its user' },
);

export const Ok = Type.Object({ ok: Type.Literal(true) }, { $id: 'Ok' });

export const LoginChallenge = Type.Object(
  {
    twoFactor: Type.Literal('totp'),
    challenge: Type.String({ description: 'Send it with a code to POST /auth/login/totp' }),
    expiresAt: Type.Number({ description: 'Epoch ms' }),
  },
  { $id: 'LoginChallenge', description: 'The password matched; the account needs its second factor' },
);

/** A reference to a named schema, typed as that schema. */
export function ref<T extends TSchema>(schema: T) {
  if (!schema.$id) throw new Error('ref() needs a schema with an $id');
  return Type.Unsafe<Static<T>>(Type.Ref(schema.$id));
}

/** `{items, next?}`: every list reply, with a cursor for the next page when there is one. */
export const Page = <T extends TSchema>(item: T, next = Type.String({ description: 'Cursor of the next page' })) =>
  Type.Object({ items: Type.Array(item), next: Type.Optional(next) });

/** The header a 429 carries (and a 503 may carry): whole seconds to wait before repeating. */
const RetryAfter = { 'Retry-After': { type: 'integer', minimum: 1, description: 'Seconds to wait before repeating' } };

const descriptions: Record<number, string> = {
  400: 'Malformed or invalid request (`VALIDATION_FAILED`, `INVALID_JSON`, `BAD_REQUEST`, …)',
  401: 'No session, or a dead one (`UNAUTHENTICATED`), or wrong credentials',
  403: 'Not allowed (`FORBIDDEN`, `NOT_A_MEMBER`, `BLOCKED`, …)',
  404: 'No such resource',
  409: 'Conflicts with the current state',
  410: 'Gone for good (`INVITE_REVOKED`, `INVITE_EXPIRED`, `INVITE_USED_UP`)',
  413: 'Body, text or file over its limit (`PAYLOAD_TOO_LARGE`, `QUOTA_EXCEEDED`, …)',
  415: 'Unsupported Content-Type or file type (`UNSUPPORTED_MEDIA_TYPE`)',
  416: 'Range outside the file (`RANGE_NOT_SATISFIABLE`)',
  422: 'The file could not be read (`MEDIA_UNREADABLE`)',
  429: 'Too many requests (`RATE_LIMITED`, `TOO_MANY_ATTEMPTS`): wait `Retry-After` seconds',
  503: 'Temporarily unavailable (`UNAVAILABLE`: database or bus outage, or the node is shutting down)',
};

/**
 * One documented error status: always the {@link ErrorReply} body, with `Retry-After` on the
 * statuses that carry it. Written in Fastify's `content` form so the header has a place.
 */
export function errorResponse(status: number) {
  return {
    description: descriptions[status] ?? 'Refused',
    ...(status === 429 || status === 503 ? { headers: RetryAfter } : {}),
    content: { 'application/json': { schema: Type.Ref('ErrorReply') } },
  };
}

/** Error replies documented for a route (the shape is always {@link ErrorReply}). */
export const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, errorResponse(s)])) as unknown as Record<
    number,
    ReturnType<typeof Type.Ref>
  >;

// The reply shapes clients name (protocol/rest-types.ts) and these schemas must list the same
// fields; a drift fails to compile.
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
type Check<T extends true> = T;
export type _RestTypesMatch = Check<SameKeys<Static<typeof PublicUser>, PublicUserType>> &
  Check<SameKeys<Static<typeof PrivateUser>, PrivateUserType>> &
  Check<SameKeys<Static<typeof Session>, SessionView>>;
