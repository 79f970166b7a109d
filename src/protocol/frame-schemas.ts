import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { type ClientFrame, MESSAGE_KINDS } from '@parley/client';

/**
 * Runtime schemas of the client→server frames of @parley/client (packages/client/src/frames.ts, the source of truth):
 * the `Exact` checks below fail to compile if the two drift apart. Unknown fields are refused.
 * Service rules (text length from config, data shapes, authorization) are checked by the service.
 */
const o = <T extends Record<string, TSchema>>(props: T) => Type.Object(props, { additionalProperties: false });
/**
 * A record key of at most `n` characters. TypeBox turns a Record's key schema into a
 * `patternProperties` pattern and ignores `maxLength` there, so the length goes into the pattern,
 * and `additionalProperties: false` on the record refuses every key the pattern does not match.
 */
const keyUpTo = (n: number) => Type.String({ pattern: `^[\\s\\S]{0,${n}}$` });
const ClientId = Type.String({ minLength: 1, maxLength: 64 });
const Cid = Type.String({ minLength: 1, maxLength: 80 });
const Seq = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

export const AuthSchema = o({ type: Type.Literal('auth'), token: Type.String({ minLength: 1, maxLength: 200 }) });
/** The fields of a message, shared by the socket `send` frame and the REST send body. */
export const MessageFields = {
  clientId: ClientId,
  kind: Type.Union(MESSAGE_KINDS.map((k) => Type.Literal(k))),
  text: Type.Optional(Type.String({ maxLength: 100_000 })),
  media: Type.Optional(Type.String({ maxLength: 64 })),
  // Bounded here only against abuse; the service refuses past 1,024 with CAPTION_TOO_LONG.
  caption: Type.Optional(Type.String({ maxLength: 100_000 })),
  replyTo: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
  mentions: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 50 })),
  data: Type.Optional(Type.Record(keyUpTo(64), Type.Unknown(), { additionalProperties: false })),
};
export const SendSchema = o({ type: Type.Literal('send'), to: Cid, ...MessageFields });
export const SyncSchema = o({
  type: Type.Literal('sync'),
  conversations: Type.Optional(Type.Record(keyUpTo(80), Seq, { maxProperties: 5000, additionalProperties: false })),
  events: Type.Optional(Seq),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  only: Type.Optional(Type.Boolean()),
});
export const ReadSchema = o({ type: Type.Literal('read'), conversation: Cid, seq: Seq });
export const ReceivedSchema = o({ type: Type.Literal('received'), conversation: Cid, seq: Seq });
export const TypingSchema = o({ type: Type.Literal('typing'), conversation: Cid });
export const RecallSchema = o({ type: Type.Literal('recall'), clientId: ClientId, conversation: Cid, seq: Seq });
export const EditSchema = o({
  type: Type.Literal('edit'),
  clientId: ClientId,
  conversation: Cid,
  seq: Seq,
  text: Type.String({ maxLength: 100_000 }),
});
export const ReactSchema = o({
  type: Type.Literal('react'),
  clientId: ClientId,
  conversation: Cid,
  seq: Seq,
  // One emoji grapheme; the service checks it is one (src/domain/marks.ts).
  emoji: Type.String({ minLength: 1, maxLength: 32 }),
  remove: Type.Optional(Type.Boolean()),
});
export const PinSchema = o({
  type: Type.Literal('pin'),
  clientId: ClientId,
  conversation: Cid,
  seq: Seq,
  remove: Type.Optional(Type.Boolean()),
});
export const PingSchema = o({
  type: Type.Literal('ping'),
  id: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Number()])),
});

const schemas = {
  auth: AuthSchema,
  send: SendSchema,
  sync: SyncSchema,
  read: ReadSchema,
  received: ReceivedSchema,
  typing: TypingSchema,
  recall: RecallSchema,
  edit: EditSchema,
  react: ReactSchema,
  pin: PinSchema,
  ping: PingSchema,
} as const;

// Compile-time checks that every schema matches its frame type in frames.ts, both ways.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Check<T extends true> = T;
export type _FramesMatch = Check<Exact<Static<(typeof schemas)[keyof typeof schemas]>['type'], ClientFrame['type']>> &
  Check<Exact<Static<typeof SendSchema>, Extract<ClientFrame, { type: 'send' }>>> &
  Check<Exact<Static<typeof SyncSchema>, Extract<ClientFrame, { type: 'sync' }>>> &
  Check<Exact<Static<typeof ReadSchema>, Extract<ClientFrame, { type: 'read' }>>> &
  Check<Exact<Static<typeof ReceivedSchema>, Extract<ClientFrame, { type: 'received' }>>> &
  Check<Exact<Static<typeof RecallSchema>, Extract<ClientFrame, { type: 'recall' }>>> &
  Check<Exact<Static<typeof EditSchema>, Extract<ClientFrame, { type: 'edit' }>>> &
  Check<Exact<Static<typeof ReactSchema>, Extract<ClientFrame, { type: 'react' }>>> &
  Check<Exact<Static<typeof PinSchema>, Extract<ClientFrame, { type: 'pin' }>>> &
  Check<Exact<Static<typeof PingSchema>, Extract<ClientFrame, { type: 'ping' }>>>;

const compiled = Object.fromEntries(Object.entries(schemas).map(([k, s]) => [k, TypeCompiler.Compile(s)])) as {
  [K in keyof typeof schemas]: ReturnType<typeof TypeCompiler.Compile<(typeof schemas)[K]>>;
};

export type FrameCheck =
  | { ok: true; frame: ClientFrame }
  | { ok: false; code: 'VALIDATION_FAILED' | 'UNKNOWN_FRAME'; message: string; clientId?: string };

/** Validates one decoded frame; never throws. */
export function checkFrame(value: unknown): FrameCheck {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'VALIDATION_FAILED', message: 'A frame is an object with a type' };
  }
  const v = value as Record<string, unknown>;
  const clientId = typeof v.clientId === 'string' && v.clientId.length <= 64 ? v.clientId : undefined;
  const type = v.type;
  if (typeof type !== 'string' || !Object.hasOwn(compiled, type)) {
    return {
      ok: false,
      code: 'UNKNOWN_FRAME',
      message: `Unknown frame type ${JSON.stringify(String(type).slice(0, 32))}`,
      ...(clientId ? { clientId } : {}),
    };
  }
  const c = compiled[type as keyof typeof compiled];
  if (c.Check(value)) return { ok: true, frame: value as ClientFrame };
  const first = c.Errors(value).First();
  const where = first?.path || '/';
  return {
    ok: false,
    code: 'VALIDATION_FAILED',
    message: `Invalid ${type} frame at ${where}: ${first?.message ?? 'bad value'}`,
    ...(clientId ? { clientId } : {}),
  };
}
