import { describe, expect, it } from 'vitest';
import { checkFrame } from '../../src/protocol/frame-schemas.js';
import { MESSAGE_KINDS } from '@parley/client';

const s = (n: number, c = 'x') => c.repeat(n);
const MAX = Number.MAX_SAFE_INTEGER;

/** The outcome of checking a frame: 'ok', or the refusal's code. */
const verdict = (v: unknown) => {
  const r = checkFrame(v);
  return r.ok ? 'ok' : r.code;
};

/** A valid frame of each type (with every optional field), and ways to make it invalid. */
const base = {
  auth: { type: 'auth', token: 't' },
  send: {
    type: 'send',
    to: 'dm:a:b',
    clientId: 'c1',
    kind: 'text',
    text: 'hi',
    media: 'm',
    replyTo: 1,
    mentions: ['u'],
    data: { k: 1 },
  },
  sync: { type: 'sync', conversations: { 'dm:a:b': 0 }, events: 0, limit: 1, only: true },
  read: { type: 'read', conversation: 'g:x', seq: 0 },
  typing: { type: 'typing', conversation: 'g:x' },
  recall: { type: 'recall', clientId: 'c', conversation: 'g:x', seq: 1 },
  edit: { type: 'edit', clientId: 'c', conversation: 'g:x', seq: 1, text: '' },
  ping: { type: 'ping', id: 'p' },
} as const;
type Type = keyof typeof base;
const frame = (t: Type, patch: Record<string, unknown> = {}) => {
  const f: Record<string, unknown> = { ...base[t], ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete f[k];
  return f;
};

/** Required fields of each type (besides `type`). */
const REQUIRED: Record<Type, string[]> = {
  auth: ['token'],
  send: ['to', 'clientId', 'kind'],
  sync: [],
  read: ['conversation', 'seq'],
  typing: ['conversation'],
  recall: ['clientId', 'conversation', 'seq'],
  edit: ['clientId', 'conversation', 'seq', 'text'],
  ping: [],
};

describe('frame checks', () => {
  describe.each(Object.keys(base) as Type[])('%s', (t) => {
    it('accepts the full frame and the one with only its required fields', () => {
      expect(checkFrame(base[t])).toEqual({ ok: true, frame: base[t] });
      const minimal = Object.fromEntries(
        Object.entries(base[t]).filter(([k]) => k === 'type' || REQUIRED[t].includes(k)),
      );
      expect(verdict(minimal)).toBe('ok');
    });

    it('refuses each missing required field, an unknown field and a wrong-typed one', () => {
      for (const k of REQUIRED[t]) expect(verdict(frame(t, { [k]: undefined })), k).toBe('VALIDATION_FAILED');
      expect(verdict(frame(t, { extra: 1 }))).toBe('VALIDATION_FAILED');
      for (const [k, v] of Object.entries(base[t]).filter(([k]) => k !== 'type')) {
        const wrong = Array.isArray(v) ? 'not a list' : typeof v === 'object' ? ['not a record'] : { not: 'a scalar' };
        expect(verdict(frame(t, { [k]: wrong })), k).toBe('VALIDATION_FAILED');
      }
    });
  });

  it('refuses what is not an object with a known type', () => {
    for (const v of [null, 1, 'send', [], [base.ping], undefined]) expect(verdict(v)).toBe('VALIDATION_FAILED');
    for (const v of [
      {},
      { type: 1 },
      { type: 'nope' },
      { type: 'constructor' },
      { type: '__proto__' },
      { type: 'toString' },
      { type: 'SEND' },
    ]) {
      expect(verdict(v), JSON.stringify(v)).toBe('UNKNOWN_FRAME');
    }
  });

  it('echoes a usable clientId on a refusal, so the sender can match it to its send', () => {
    expect(checkFrame({ type: 'send', clientId: 'mine', to: 'dm:a:b', kind: 'nope' })).toMatchObject({
      ok: false,
      code: 'VALIDATION_FAILED',
      clientId: 'mine',
    });
    expect(checkFrame({ type: 'later', clientId: 'mine' })).toMatchObject({
      ok: false,
      code: 'UNKNOWN_FRAME',
      clientId: 'mine',
    });
    const long = checkFrame({ type: 'send', clientId: s(65), to: 'dm:a:b', kind: 'text' });
    expect(long.ok).toBe(false);
    expect('clientId' in long).toBe(false);
    expect('clientId' in checkFrame({ type: 'send', clientId: 7 })).toBe(false);
  });

  it('names where a frame is wrong', () => {
    const r = checkFrame(frame('read', { seq: -1 }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('/seq');
  });

  describe('limits, at the boundary', () => {
    // [type, field, value just inside, value just outside]
    const cases: [Type, string, unknown, unknown][] = [
      ['auth', 'token', s(200), s(201)],
      ['auth', 'token', 'x', ''],
      ['send', 'clientId', s(64), s(65)],
      ['send', 'clientId', 'x', ''],
      ['send', 'to', s(80), s(81)],
      ['send', 'to', 'x', ''],
      ['send', 'text', s(100_000), s(100_001)],
      ['send', 'media', s(64), s(65)],
      ['send', 'replyTo', 1, 0],
      ['send', 'replyTo', MAX, MAX + 2],
      ['send', 'replyTo', 2, 1.5],
      ['send', 'mentions', Array(50).fill('u'), Array(51).fill('u')],
      ['send', 'mentions', [s(32)], [s(33)]],
      [
        'sync',
        'conversations',
        Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`c${i}`, i])),
        Object.fromEntries(Array.from({ length: 5001 }, (_, i) => [`c${i}`, i])),
      ],
      ['sync', 'conversations', { c: MAX }, { c: -1 }],
      ['sync', 'events', MAX, MAX + 2],
      ['sync', 'events', 0, -1],
      ['sync', 'limit', 1, 0],
      ['sync', 'limit', 500, 501],
      ['read', 'seq', 0, -1],
      ['read', 'seq', MAX, MAX + 2],
      ['read', 'seq', 3, 3.5],
      ['read', 'conversation', s(80), s(81)],
      ['typing', 'conversation', 'x', ''],
      ['recall', 'clientId', s(64), s(65)],
      ['edit', 'text', s(100_000), s(100_001)],
      ['ping', 'id', s(64), s(65)],
      ['ping', 'id', 12.5, true],
    ];
    it.each(cases)('%s.%s', (t, field, inside, outside) => {
      expect(verdict(frame(t, { [field]: inside }))).toBe('ok');
      expect(verdict(frame(t, { [field]: outside }))).toBe('VALIDATION_FAILED');
    });
  });

  // TypeBox drops a Record key's maxLength; frame-schemas.ts puts the length into the key pattern.
  it.each([
    ['send', 'data', { [s(64)]: null }, { [s(65)]: null }],
    ['sync', 'conversations', { [s(80)]: 0 }, { [s(81)]: 0 }],
  ] as [Type, string, unknown, unknown][])('record key limit %s.%s', (t, field, inside, outside) => {
    expect(verdict(frame(t, { [field]: inside }))).toBe('ok');
    expect(verdict(frame(t, { [field]: outside }))).toBe('VALIDATION_FAILED');
  });

  it('takes every message kind and nothing else in a send', () => {
    for (const k of MESSAGE_KINDS) expect(verdict(frame('send', { kind: k })), k).toBe('ok');
    for (const k of ['recall', 'edit', 'system', 'TEXT', ''])
      expect(verdict(frame('send', { kind: k })), k).toBe('VALIDATION_FAILED');
  });
});
