import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import { type ParleyClient, msgpackCodec, type AckFrame, type ServerFrame } from '@parley/client';
import { testDialects } from '../support/databases.js';
import { DeliveryChecker } from '../support/delivery-checker.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { befriend, createGroup } from '../support/social-fixtures.js';
import { RawSocket, connectClient } from '../support/ws-clients.js';
import { type Targets, nearValidFrame, randomValue, validFrame, withHostileField } from './frame-arbitraries.js';
import { FUZZ_RUNS, fuzzParams } from './fuzz-support.js';

const FRAME_LIMIT = 64 * 1024;
const codecs = ['json', 'msgpack'] as const;
/** `data` undefined: the generated value cannot be sent (the run is skipped). */
type Wire = { data?: string | Uint8Array; what: string };

/** pino levels: 50 = error, 60 = fatal. A client mistake must never log at those levels. */
const serverErrors = (s: TestServer) =>
  s.logs.lines.filter((l) => {
    try {
      return JSON.parse(l).level >= 50;
    } catch {
      return true;
    }
  });

describe.each(testDialects())('frame fuzzing on %s', (dialect) => {
  let s: TestServer;
  let targets: Targets;
  let a: Awaited<ReturnType<typeof registerUser>>;
  const open: ParleyClient[] = [];
  beforeAll(async () => {
    s = await startServer({
      dialect,
      config: {
        frameLimit: FRAME_LIMIT,
        messageRate: 1_000_000,
        messageBurst: 1_000_000,
        typingThrottle: 0,
        // The fuzz pipelines thousands of frames on one socket; the frame rate has its own test.
        frameRate: 1_000_000,
        frameBurst: 1_000_000,
      },
    });
    a = await registerUser(s.api, 'fa');
    const b = await registerUser(s.api, 'fb');
    const c = await registerUser(s.api, 'fc');
    const d = await registerUser(s.api, 'fd');
    await befriend(s.app, a.user.id, b.user.id);
    await befriend(s.app, c.user.id, d.user.id);
    const mine = await createGroup(s.app, a.user.id, [b.user.id]);
    const theirs = await createGroup(s.app, c.user.id, [d.user.id]);
    targets = {
      own: [dmId(a.user.id, b.user.id), mine.cid],
      foreign: [dmId(c.user.id, d.user.id), theirs.cid, dmId(a.user.id, c.user.id)],
    };
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await s?.close();
  });

  /**
   * One socket per codec, reused for every run: send the fuzzed message, then a ping with a
   * fresh id, and read everything up to its pong. Frames are handled in order, so the pong
   * proves the connection still serves after the fuzzed one; what came before it must be
   * well-formed (no INTERNAL error, every error coded).
   */
  async function fuzzOver(codec: (typeof codecs)[number], wire: fc.Arbitrary<Wire>): Promise<Map<string, number>> {
    const seen = new Map<string, number>();
    // The event loop must keep turning whatever a frame holds: a 10 ms timer's longest gap.
    let last = performance.now();
    let stall = 0;
    const ticker = setInterval(() => {
      stall = Math.max(stall, performance.now() - last);
      last = performance.now();
    }, 10);
    const ws = await RawSocket.open(s.url, { codec, token: a.token });
    await ws.next((f) => f.type === 'ready');
    let n = 0;
    try {
      await fc.assert(
        fc.asyncProperty(wire, async ({ data, what }) => {
          fc.pre(data !== undefined);
          const id = `probe-${n++}`;
          ws.frames.length = 0;
          ws.ws.send(data!);
          ws.send({ type: 'ping', id });
          let pong: ServerFrame;
          try {
            pong = await ws.next((f) => f.type === 'pong' && (f as { id?: unknown }).id === id, 10_000);
          } catch (e) {
            throw new Error(`no pong after ${what}: ${(e as Error).message}`);
          }
          expect(pong.type).toBe('pong');
          for (const f of ws.frames) {
            const key = f.type === 'error' ? `error:${f.code}` : f.type;
            seen.set(key, (seen.get(key) ?? 0) + 1);
            if (f.type !== 'error') continue;
            expect(f.code, `${what} → ${JSON.stringify(f)}`).toMatch(/^[A-Z][A-Z0-9_]+$/);
            expect(f.code, `${what} → ${f.message}`).not.toBe('INTERNAL');
            expect(typeof f.message).toBe('string');
          }
        }),
        fuzzParams(),
      );
    } finally {
      clearInterval(ticker);
      expect(ws.closed).toBeUndefined();
      ws.close();
      await ws.closedWith().catch(() => {});
    }
    // Generous for a loaded machine; an expanding frame stalls for seconds.
    expect(stall).toBeLessThan(2000);
    return seen;
  }

  /** Encodes with the socket's codec; values the codec cannot carry are skipped (fc.pre). */
  const encoded =
    (codec: (typeof codecs)[number], kind: string) =>
    (v: unknown): Wire => {
      const raw = new RawSocketEncoder(codec);
      let data: string | Uint8Array | undefined;
      try {
        data = raw.encode(v);
      } catch {
        data = undefined;
      }
      // Oversized frames close the socket (1009): the raw-socket tests cover that.
      if (data !== undefined && Buffer.byteLength(data) >= FRAME_LIMIT / 2) data = undefined;
      return { data, what: `${kind} ${show(v)}` };
    };

  it.each(codecs)(
    '%s: valid frames get an answer and the connection keeps serving',
    async (codec) => {
      const seen = await fuzzOver(codec, validFrame(targets).map(encoded(codec, 'valid')));
      // The generator reaches the services, not only the schema: some sends are accepted.
      expect(seen.get('ack') ?? 0, JSON.stringify([...seen])).toBeGreaterThan(0);
      expect(seen.get('sync.done') ?? 0).toBeGreaterThan(0);
    },
    300_000,
  );

  it.each(codecs)(
    '%s: near-valid frames (wrong types, missing/extra fields, huge and negative numbers, unicode, long strings) get coded errors',
    async (codec) => {
      await fuzzOver(codec, nearValidFrame(targets, codec === 'msgpack').map(encoded(codec, 'near-valid')));
    },
    300_000,
  );

  it.each(codecs)(
    '%s: extension types (-128…127), 64-bit integers, the byte 0xc1 and 6,000-deep nesting in any field get coded errors',
    async (codec) => {
      const enc = new RawSocketEncoder(codec);
      const seen = await fuzzOver(
        codec,
        withHostileField(targets, codec, (v) => enc.encode(v), FRAME_LIMIT / 2),
      );
      expect(seen.get('error:INTERNAL')).toBeUndefined();
    },
    300_000,
  );

  it.each(codecs)(
    '%s: random values and random bytes (binary and text) get coded errors',
    async (codec) => {
      const wire = fc.oneof(
        randomValue(codec === 'msgpack').map(encoded(codec, 'random value')),
        fc
          .uint8Array({ maxLength: 2048 })
          .map((b): Wire => ({ data: b, what: `bytes ${Buffer.from(b).toString('hex').slice(0, 200)}` })),
        fc
          .string({ unit: 'binary', maxLength: 2048 })
          .map((t): Wire => ({ data: t, what: `text ${JSON.stringify(t.slice(0, 100))}` })),
      );
      await fuzzOver(codec, wire);
    },
    300_000,
  );

  it('after all that: no server error was logged, and a real send is acked and delivered to every device once', async () => {
    expect(FUZZ_RUNS).toBeGreaterThan(0);
    expect(serverErrors(s)).toEqual([]);
    const e = await registerUser(s.api, 'fe');
    await befriend(s.app, a.user.id, e.user.id);
    const cid = dmId(a.user.id, e.user.id);
    const checker = new DeliveryChecker();
    open.push(await connectClient(s.url, e.token, 'msgpack', {}, (c) => checker.attach('e1', e.user.id, c)));
    open.push(await connectClient(s.url, a.token, 'json', {}, (c) => checker.attach('a2', a.user.id, c)));
    for (const codec of codecs) {
      const ws = await RawSocket.open(s.url, { codec, token: a.token });
      await ws.next((f) => f.type === 'ready');
      ws.send({ type: 'send', clientId: `final-${codec}`, to: cid, kind: 'text', text: 'still here' });
      checker.ack(await ws.next<AckFrame>((f) => f.type === 'ack', 10_000));
      ws.close();
    }
    const members = { [cid]: [a.user.id, e.user.id] };
    await checker.settle(members);
    checker.verify(members);
    expect(checker.expected(cid)).toEqual([1, 2]);
  });
});

class RawSocketEncoder {
  constructor(private readonly codec: (typeof codecs)[number]) {}
  encode(v: unknown): string | Uint8Array {
    if (this.codec === 'json') {
      const t = JSON.stringify(v);
      if (t === undefined) throw new Error('not JSON');
      return t;
    }
    return msgpackCodec.encode(v);
  }
}

function show(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x))?.slice(0, 300) ?? String(v);
  } catch {
    return String(v).slice(0, 300);
  }
}
