import fc from 'fast-check';
import { MESSAGE_KINDS } from '@parley/client';
import { nastyJson, nastyNumber, nastyString } from './fuzz-support.js';

/** Conversation ids a fuzzed frame may aim at: the sender's own, someone else's, malformed ones. */
export interface Targets {
  own: string[];
  foreign: string[];
}

const cid = (t: Targets) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...t.own) },
    { weight: 1, arbitrary: fc.constantFrom(...t.foreign) },
    { weight: 1, arbitrary: nastyString(90) },
  );
const seq = fc.oneof(fc.nat({ max: 50 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
const clientId = fc.string({ minLength: 1, maxLength: 64 });

/** Frames that pass the frame schema (the service may still refuse them). */
export function validFrame(t: Targets): fc.Arbitrary<Record<string, unknown>> {
  const goodId = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/);
  const goodText = nastyString(600).filter((x) => x.trim().length > 0);
  return fc.oneof(
    // Sends the services accept (text, custom), so the fuzz reaches past validation.
    fc.record({
      type: fc.constant('send'),
      clientId: goodId,
      to: fc.constantFrom(...t.own),
      kind: fc.constant('text'),
      text: goodText,
    }),
    fc.record(
      {
        type: fc.constant('send'),
        clientId: goodId,
        to: fc.constantFrom(...t.own),
        kind: fc.constant('custom'),
        data: fc.dictionary(fc.string({ maxLength: 64 }), nastyJson, { maxKeys: 4 }),
        text: goodText,
      },
      { requiredKeys: ['type', 'clientId', 'to', 'kind', 'data'] },
    ),
    fc.record(
      {
        type: fc.constant('send'),
        clientId,
        to: cid(t),
        kind: fc.constantFrom(...MESSAGE_KINDS),
        text: nastyString(600),
        media: fc.string({ maxLength: 64 }),
        replyTo: fc.integer({ min: 1, max: 60 }),
        mentions: fc.array(fc.string({ maxLength: 32 }), { maxLength: 5 }),
        data: fc.dictionary(fc.string({ maxLength: 64 }), nastyJson, { maxKeys: 4 }),
      },
      { requiredKeys: ['type', 'clientId', 'to', 'kind'] },
    ),
    fc
      .record(
        {
          type: fc.constant('sync'),
          conversations: fc.dictionary(cid(t), seq, { maxKeys: 4 }),
          events: seq,
          limit: fc.integer({ min: 1, max: 500 }),
          only: fc.boolean(),
        },
        { requiredKeys: ['type'] },
      )
      .map((f) => (f.conversations === undefined ? { ...f, only: true, conversations: {} } : f)),
    fc.record({ type: fc.constant('read'), conversation: cid(t), seq }),
    fc.record({ type: fc.constant('typing'), conversation: cid(t) }),
    fc.record({ type: fc.constant('recall'), clientId, conversation: cid(t), seq }),
    fc.record({ type: fc.constant('edit'), clientId, conversation: cid(t), seq, text: nastyString(600) }),
    fc.record(
      { type: fc.constant('ping'), id: fc.oneof(fc.string({ maxLength: 64 }), nastyNumber) },
      { requiredKeys: ['type'] },
    ),
    fc.record({ type: fc.constant('auth'), token: fc.string({ minLength: 1, maxLength: 200 }) }),
  );
}

type Mutation = (f: Record<string, unknown>) => Record<string, unknown>;

/** Values beyond JSON that a MessagePack frame can carry. */
const msgpackOnly = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.date({ noInvalidDate: true }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
);

/**
 * A valid frame with one or more mistakes: a field of the wrong type, a field missing, an extra
 * field, a huge or negative number, a strange `type`, or a very long string.
 */
export function nearValidFrame(t: Targets, binary: boolean): fc.Arbitrary<Record<string, unknown>> {
  const anyValue = binary ? fc.oneof(nastyJson, msgpackOnly) : nastyJson;
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.tuple(fc.nat(), anyValue).map(([i, v]) => (f: Record<string, unknown>) => {
      const keys = Object.keys(f).filter((k) => k !== 'type');
      return keys.length ? { ...f, [keys[i % keys.length]!]: v } : f;
    }),
    fc.nat().map((i) => (f: Record<string, unknown>) => {
      const keys = Object.keys(f);
      const { [keys[i % keys.length]!]: _gone, ...rest } = f;
      return rest;
    }),
    fc.tuple(nastyString(40), anyValue).map(([k, v]) => (f: Record<string, unknown>) => ({ ...f, [k]: v })),
    fc
      .tuple(fc.constantFrom('seq', 'replyTo', 'limit', 'events', 'id'), nastyNumber)
      .map(([k, v]) => (f: Record<string, unknown>) => ({ ...f, [k]: v })),
    fc
      .constantFrom(-1, -(2 ** 53), 1.5, 2 ** 60)
      .map(
        (v) => (f: Record<string, unknown>) =>
          'seq' in f ? { ...f, seq: v } : { ...f, conversations: { [String(t.own[0])]: v } },
      ),
    fc.oneof(nastyString(40), anyValue).map((v) => (f: Record<string, unknown>) => ({ ...f, type: v })),
    fc.integer({ min: 4_001, max: 15_000 }).map((n) => (f: Record<string, unknown>) => ({ ...f, text: 'é'.repeat(n) })),
  );
  return fc
    .tuple(validFrame(t), fc.array(mutation, { minLength: 1, maxLength: 3 }))
    .map(([f, ms]) => ms.reduce((acc, m) => m(acc), f));
}

/** Anything at all as the frame's value (not an object, arrays, nested garbage). */
export const randomValue = (binary: boolean) => (binary ? fc.oneof(nastyJson, msgpackOnly) : nastyJson);

/** Nesting in MessagePack bytes: `n` one-element arrays (0x91) or maps ({"a": …}) around a nil. */
const deepMsgpack = (n: number, map: boolean) =>
  Buffer.concat([
    Buffer.alloc(map ? 0 : n, 0x91),
    Buffer.from(map ? '81a161'.repeat(n) : '', 'hex'),
    Buffer.from([0xc0]),
  ]);

/**
 * MessagePack values no encoder of ours writes: every extension type (−128…127: msgpackr's
 * records, structured-clone ids and references, bundled strings, Sets, Errors, RegExps, typed
 * arrays, BigInts; the timestamp) in every ext form, the byte 0xc1, 64-bit integers, and
 * nesting up to 6,000 deep.
 */
export const hostileMsgpackValue: fc.Arbitrary<Buffer> = fc.oneof(
  fc
    .tuple(fc.integer({ min: -128, max: 127 }), fc.constantFrom(1, 2, 4, 8, 16), fc.uint8Array({ maxLength: 16 }))
    .map(([type, fix, body]) => {
      const fixCode = { 1: 0xd4, 2: 0xd5, 4: 0xd6, 8: 0xd7, 16: 0xd8 }[fix]!;
      const payload = Buffer.alloc(fix);
      payload.set(body.subarray(0, fix));
      return Buffer.concat([Buffer.from([fixCode, type & 0xff]), payload]);
    }),
  fc
    .tuple(fc.integer({ min: -128, max: 127 }), fc.uint8Array({ maxLength: 40 }))
    .map(([type, body]) => Buffer.concat([Buffer.from([0xc7, body.length, type & 0xff]), body])),
  fc.constant(Buffer.from([0xc1])),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }).map((v) => {
    const b = Buffer.alloc(9);
    if (v < 0n) {
      b[0] = 0xd3;
      b.writeBigInt64BE(v, 1);
    } else {
      b[0] = 0xcf;
      b.writeBigUInt64BE(v, 1);
    }
    return b;
  }),
  fc.tuple(fc.integer({ min: 1, max: 6000 }), fc.boolean()).map(([n, map]) => deepMsgpack(n, map)),
);

/** Nesting up to 6,000 deep as JSON text (arrays or objects). */
export const deepJsonText: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1, max: 6000 }), fc.boolean())
  .map(([n, map]) => (map ? `${'{"a":'.repeat(n)}0${'}'.repeat(n)}` : `${'['.repeat(n)}${']'.repeat(n)}`));

/**
 * A valid frame with one field (or a new one, or `data`'s content) replaced by hostile raw
 * bytes or text: the frame is written with a nil placeholder that is then swapped for them.
 */
export function withHostileField(
  t: Targets,
  codec: 'json' | 'msgpack',
  encode: (v: unknown) => string | Uint8Array,
  maxBytes: number,
): fc.Arbitrary<{ data?: string | Uint8Array; what: string }> {
  const hostile: fc.Arbitrary<string | Buffer> = codec === 'msgpack' ? hostileMsgpackValue : deepJsonText;
  return fc
    .tuple(validFrame(t), fc.constantFrom('data', 'text', 'seq', 'id', 'conversations', 'extra'), hostile)
    .map(([f, key, h]) => {
      // The placeholder is the frame's last key, so it is the last value written.
      const { [key]: _old, ...rest } = f;
      const frame = key === 'data' ? { ...rest, kind: 'custom', data: { v: null } } : { ...rest, [key]: null };
      const bytes = encode(frame);
      const what = `${key} ← ${typeof h === 'string' ? h.slice(0, 60) : h.subarray(0, 60).toString('hex')}`;
      let data: string | Uint8Array;
      if (typeof bytes === 'string') {
        const at = bytes.lastIndexOf('null');
        data = bytes.slice(0, at) + h + bytes.slice(at + 4);
      } else data = Buffer.concat([bytes.subarray(0, bytes.length - 1), h as Buffer]);
      // Oversized frames close the socket (1009), which the raw-socket tests cover: skipped.
      return { data: Buffer.byteLength(data) < maxBytes ? data : undefined, what };
    });
}
