import { Packr } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import { msgpackCodec } from '@parley/client';
import type { ErrorFrame } from '@parley/client';
import { measureJson } from '@parley/client';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { befriend } from '../support/social-fixtures.js';
import { RawSocket } from '../support/ws-clients.js';

const V = '/api/v1';

/** The longest gap between ticks of a 10 ms timer while `work` runs: how long the event loop stalled. */
async function longestStall(work: () => Promise<void>): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const t = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 10);
  try {
    await work();
  } finally {
    clearInterval(t);
  }
  return Math.max(worst, performance.now() - last);
}

/** A `send` frame whose `data` is 2^25 leaves described in a few hundred bytes (msgpackr's shared references). */
function amplificationFrame(cid: string): Uint8Array {
  let v: unknown = ['x'];
  for (let i = 0; i < 25; i++) v = [v, v];
  const bytes = new Packr({ structuredClone: true, useRecords: false }).pack({
    type: 'send',
    clientId: 'amp',
    to: cid,
    kind: 'custom',
    data: { v },
  });
  expect(bytes.length).toBeLessThan(500);
  return bytes;
}

const deepJson = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

describe.each(testDialects())('bounded frames and bodies on %s', (dialect) => {
  let s: TestServer;
  let a: Awaited<ReturnType<typeof registerUser>>;
  let cid: string;
  beforeAll(async () => {
    s = await startServer({
      dialect,
      config: { messageRate: 1000, messageBurst: 1000, frameRate: 1_000_000, frameBurst: 1_000_000 },
    });
    a = await registerUser(s.api, 'wb');
    const b = await registerUser(s.api, 'wbb');
    await befriend(s.app, a.user.id, b.user.id);
    cid = dmId(a.user.id, b.user.id);
  });
  afterAll(async () => {
    await s?.close();
  });

  async function answerTo(codec: 'json' | 'msgpack', data: string | Uint8Array): Promise<ErrorFrame> {
    const ws = await RawSocket.open(s.url, { codec, token: a.token });
    await ws.next((f) => f.type === 'ready');
    ws.ws.send(data);
    ws.send({ type: 'ping', id: 'after' });
    const err = await ws.next<ErrorFrame>((f) => f.type === 'error', 10_000);
    await ws.next((f) => f.type === 'pong', 10_000);
    expect(ws.closed).toBeUndefined();
    ws.close();
    return err;
  }

  it('a 385-byte MessagePack frame of shared references is refused as INVALID_FRAME at once; the event loop keeps ticking', async () => {
    const frame = amplificationFrame(cid);
    let err: ErrorFrame | undefined;
    const stall = await longestStall(async () => {
      err = await answerTo('msgpack', frame);
    });
    expect(err).toMatchObject({ type: 'error', code: 'INVALID_FRAME' });
    // Today's decoder expands it to 33 million strings and measures them by JSON.stringify: seconds.
    expect(stall).toBeLessThan(1500);
    const h = await s.api.get(`${V}/conversations/${cid}/messages`, a.token);
    expect(h.body.items ?? h.body.entries ?? []).toHaveLength(0);
  });

  it('every MessagePack extension type (-128…127, msgpackr’s and the timestamp) answers INVALID_FRAME', async () => {
    const ws = await RawSocket.open(s.url, { codec: 'msgpack', token: a.token });
    await ws.next((f) => f.type === 'ready');
    const prefix = msgpackCodec.encode({ type: 'ping', id: null }) as Uint8Array; // ends with the nil of `id`
    for (let type = -128; type <= 127; type++) {
      for (const ext of [
        [0xd4, type & 0xff, 0],
        [0xd6, type & 0xff, 0, 0, 0, 0],
        [0xc7, 3, type & 0xff, 1, 2, 3],
      ]) {
        ws.ws.send(Buffer.concat([prefix.subarray(0, prefix.length - 1), Buffer.from(ext)]));
        const err = await ws.next<ErrorFrame>((f) => f.type === 'error');
        expect(err.code, `ext ${type}`).toBe('INVALID_FRAME');
        ws.send({ type: 'ping', id: type });
        await ws.next((f) => f.type === 'pong');
      }
    }
    ws.close();
  });

  it('64-bit integers beyond 2^53, undefined and 6,000-deep nesting answer coded errors on both codecs', async () => {
    const send = (data: unknown) => ({ type: 'send', clientId: 'c1', to: cid, kind: 'custom', data });
    const base = msgpackCodec.encode({ type: 'send', clientId: 'c1', to: cid, kind: 'text', replyTo: null });
    const withTail = (tail: number[]) =>
      Buffer.concat([(base as Uint8Array).subarray(0, base.length - 1), Buffer.from(tail)]);
    // uint64 2^60 and int64 -(2^60) as replyTo; ext 0 (msgpackr's undefined).
    expect((await answerTo('msgpack', withTail([0xcf, 0x10, 0, 0, 0, 0, 0, 0, 0]))).code).toBe('INVALID_FRAME');
    expect((await answerTo('msgpack', withTail([0xd3, 0xf0, 0, 0, 0, 0, 0, 0, 0]))).code).toBe('INVALID_FRAME');
    expect((await answerTo('msgpack', withTail([0xd4, 0, 0]))).code).toBe('INVALID_FRAME');
    const deep = Buffer.from(msgpackCodec.encode(send(null)) as Uint8Array);
    const deepMsgpack = Buffer.concat([
      deep.subarray(0, deep.length - 1),
      Buffer.alloc(6000, 0x91),
      Buffer.from([0xc0]),
    ]);
    expect((await answerTo('msgpack', deepMsgpack)).code).toBe('INVALID_FRAME');
    const deepText = JSON.stringify(send({ v: 'DEEP' })).replace('"DEEP"', deepJson(6000));
    expect((await answerTo('json', deepText)).code).toBe('INVALID_FRAME');
    // Deep but within the frame bound: the data bound answers.
    const mid = JSON.stringify(send({ v: 'DEEP' })).replace('"DEEP"', deepJson(20));
    expect((await answerTo('json', mid)).code).toBe('VALIDATION_FAILED');
  });

  it('REST: deep, non-finite and huge-number `data` answer 4xx with a coded body, never 500', async () => {
    const post = (raw: string) =>
      fetch(`${s.url}${V}/conversations/${cid}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${a.token}` },
        body: raw,
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const body = (data: string, id: string) => `{"clientId":"${id}","kind":"custom","data":{"v":${data}}}`;
    for (const [data, status, code] of [
      [deepJson(6000), 400, 'VALIDATION_FAILED'],
      [`${'{"a":'.repeat(6000)}1${'}'.repeat(6000)}`, 400, 'VALIDATION_FAILED'],
      ['1e400', 400, 'VALIDATION_FAILED'],
      ['-1e400', 400, 'VALIDATION_FAILED'],
    ] as const) {
      const r = await post(body(data, `r${data.length}`));
      expect(r.status, data.slice(0, 20)).toBe(status);
      expect(r.body.error.code).toBe(code);
    }
    // A huge integer is a (rounded) JSON number: accepted as such.
    const r = await post(body('123456789012345678901234567890', 'big'));
    expect(r.status).toBe(201);
  });
});

describe('measureJson', () => {
  it('equals JSON.stringify’s length on JSON and refuses cycles, BigInt, undefined and non-finite numbers', () => {
    for (const v of [{}, [], { a: [1, 'é\n"', null, true, false, -0.5, { b: {} }] }, ['\u2028', 1e21]])
      expect(measureJson(v, 1e6, 10)).toEqual({ ok: true, size: JSON.stringify(v).length });
    const cyc: Record<string, unknown> = {};
    cyc.self = cyc;
    expect(measureJson(cyc, 1e6, 10)).toMatchObject({ ok: false, why: 'depth' });
    expect(measureJson({ n: 1n }, 1e6, 10)).toMatchObject({ ok: false, why: 'type' });
    expect(measureJson({ n: undefined }, 1e6, 10)).toMatchObject({ ok: false, why: 'type' });
    expect(measureJson({ n: Number.NaN }, 1e6, 10)).toMatchObject({ ok: false, why: 'type' });
    expect(measureJson({ d: new Date() }, 1e6, 10)).toMatchObject({ ok: false, why: 'type' });
    expect(measureJson({ s: 'x'.repeat(100) }, 50, 10)).toMatchObject({ ok: false, why: 'size' });
  });
});
