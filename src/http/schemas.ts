import { type TSchema, Type } from '@sinclair/typebox';

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

export const PublicUser = Type.Object({
  id: Id,
  username: Type.String(),
  nickname: Type.String(),
  avatar: Type.Union([Type.String(), Type.Null()]),
  gender: Type.String(),
  bio: Type.String(),
});

export const PrivateUser = Type.Composite([
  PublicUser,
  Type.Object({
    mobile: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.Number(),
  }),
]);

/** `{items, next?}`: every list reply, with a cursor for the next page when there is one. */
export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), next: Type.Optional(Type.String()) });

/** Error replies documented for every route (the shape is always {@link ErrorReply}). */
export const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, Type.Ref('ErrorReply')]));

export const Ok = Type.Object({ ok: Type.Literal(true) });
