import { afterEach, describe, expect, it } from 'vitest';
import type { Bus, BusMessage } from '../../src/bus/bus.js';
import { MemoryBroker, MemoryBus } from '../../src/bus/memory-bus.js';
import { RedisBus } from '../../src/bus/redis-bus.js';
import { TEST_REDIS_URL, deletePrefix, redisForTests, sleep, uniquePrefix, until } from '../support/redis.js';

/** One implementation under test: makes N "nodes" that share one broker. */
interface BusImpl {
  name: string;
  cluster(): { node(): Promise<Bus>; cleanup(): Promise<void> };
}

const memory: BusImpl = {
  name: 'memory',
  cluster() {
    const broker = new MemoryBroker();
    return { node: async () => new MemoryBus(broker), cleanup: async () => {} };
  },
};

const redis: BusImpl = {
  name: 'redis',
  cluster() {
    const prefix = uniquePrefix('bus');
    return {
      async node() {
        const bus = new RedisBus({ url: TEST_REDIS_URL, prefix, retryMaxMs: 200 });
        await bus.whenHealthy(5000);
        return bus;
      },
      cleanup: () => deletePrefix(prefix),
    };
  },
};

const impls = [memory, ...((await redisForTests('bus conformance')) ? [redis] : [])];

/** Records what one node receives. */
function recorder(bus: Bus) {
  const got: { topic: string; msg: BusMessage }[] = [];
  bus.onMessage((topic, msg) => got.push({ topic, msg }));
  return { got, on: (topic: string) => got.filter((g) => g.topic === topic).map((g) => g.msg) };
}

const inv = (k: string): BusMessage => ({ type: 'invalidate', keys: [k] });

describe.each(impls)('Bus conformance: $name', (impl) => {
  let open: Bus[] = [];
  let cleanup: (() => Promise<void>) | undefined;
  async function nodes(n: number) {
    const c = impl.cluster();
    cleanup = c.cleanup;
    const out: Bus[] = [];
    for (let i = 0; i < n; i++) out.push(await c.node());
    open.push(...out);
    return out;
  }
  afterEach(async () => {
    await Promise.all(open.map((b) => b.close()));
    open = [];
    await cleanup?.();
  });

  it('is healthy once connected', async () => {
    const [a] = await nodes(1);
    expect(a!.healthy).toBe(true);
  });

  it('delivers to every subscribed node, the publisher included, and to no other', async () => {
    const [a, b, c] = await nodes(3);
    const ra = recorder(a!),
      rb = recorder(b!),
      rc = recorder(c!);
    await a!.subscribe('user:1');
    await b!.subscribe('user:1');
    await c!.subscribe('user:2');
    await a!.publish('user:1', inv('x'));
    await until(() => ra.on('user:1').length === 1 && rb.on('user:1').length === 1, 'delivery to a and b');
    // A message on c's topic is the barrier: once it is in, user:1 would have been too.
    await a!.publish('user:2', inv('barrier'));
    await until(() => rc.on('user:2').length === 1, 'barrier on c');
    expect(rc.on('user:1')).toEqual([]);
    expect(ra.got.map((g) => g.topic)).toEqual(['user:1']);
    expect(rb.on('user:1')).toEqual([inv('x')]);
  });

  it('delivers each message at most once, however often a node subscribed', async () => {
    const [a, b] = await nodes(2);
    const rb = recorder(b!);
    await b!.subscribe('group:g');
    await b!.subscribe('group:g');
    await b!.subscribe('group:g');
    for (let i = 0; i < 5; i++) await a!.publish('group:g', inv(`m${i}`));
    await a!.publish('group:g', inv('end'));
    await until(() => rb.on('group:g').some((m) => m.type === 'invalidate' && m.keys[0] === 'end'), 'end marker');
    await sleep(50);
    expect(rb.on('group:g').map((m) => (m as { keys: string[] }).keys[0])).toEqual([
      'm0',
      'm1',
      'm2',
      'm3',
      'm4',
      'end',
    ]);
  });

  it("keeps one publisher's order on a topic, also for publishes issued without waiting", async () => {
    const [a, b] = await nodes(2);
    const rb = recorder(b!);
    await b!.subscribe('user:o');
    const n = 500;
    await Promise.all(Array.from({ length: n }, (_, i) => a!.publish('user:o', inv(String(i)))));
    await until(() => rb.on('user:o').length === n, `${n} messages`, 10_000);
    expect(rb.on('user:o').map((m) => Number((m as { keys: string[] }).keys[0]))).toEqual(
      Array.from({ length: n }, (_, i) => i),
    );
  });

  it('reference-counts subscriptions: N subscribes need N unsubscribes', async () => {
    const [a, b] = await nodes(2);
    const rb = recorder(b!);
    await b!.subscribe('user:r');
    await b!.subscribe('user:r');
    await b!.subscribe('user:barrier');
    await b!.unsubscribe('user:r');
    await a!.publish('user:r', inv('still'));
    await until(() => rb.on('user:r').length === 1, 'delivery with one reference left');
    await b!.unsubscribe('user:r');
    await a!.publish('user:r', inv('gone'));
    await a!.publish('user:barrier', inv('b'));
    await until(() => rb.on('user:barrier').length === 1, 'barrier');
    expect(rb.on('user:r')).toEqual([inv('still')]);
    // An extra unsubscribe is a no-op and does not make the count negative.
    await b!.unsubscribe('user:r');
    await b!.subscribe('user:r');
    await a!.publish('user:r', inv('back'));
    await until(() => rb.on('user:r').length === 2, 'delivery after re-subscribe');
    expect(rb.on('user:r')[1]).toEqual(inv('back'));
  });

  it('stops delivery as soon as unsubscribe resolves', async () => {
    const [a, b] = await nodes(2);
    const rb = recorder(b!);
    await b!.subscribe('user:u');
    await b!.subscribe('user:barrier');
    await a!.publish('user:u', inv('before'));
    await until(() => rb.on('user:u').length === 1, 'first delivery');
    await b!.unsubscribe('user:u');
    for (let i = 0; i < 20; i++) await a!.publish('user:u', inv('after'));
    // One publisher's messages reach a node in order, so after the barrier nothing else can come.
    await a!.publish('user:barrier', inv('b'));
    await until(() => rb.on('user:barrier').length === 1, 'barrier');
    await sleep(30);
    expect(rb.on('user:u')).toEqual([inv('before')]);
  });

  it('carries every message type intact, binary payloads byte for byte', async () => {
    const [a, b] = await nodes(2);
    const rb = recorder(b!);
    await b!.subscribe('user:bin');
    const every = Uint8Array.from({ length: 256 }, (_, i) => i);
    const big = new Uint8Array(64 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919 + 13) & 0xff;
    const msgs: BusMessage[] = [
      { type: 'frames', json: '{"type":"message","text":"héllo 👋 \\u0000 \u2028"}', msgpack: every },
      { type: 'frames', json: 'x'.repeat(70_000), msgpack: big, exceptConn: 'conn-1' },
      { type: 'frames', json: '', msgpack: new Uint8Array(0) },
      { type: 'sessions.revoked', userId: 'u1', sessionIds: ['s1', 's2'] },
      { type: 'invalidate', keys: ['user:a', 'group:b'] },
      { type: 'topic.join', userId: 'u1', topic: 'group:g' },
      { type: 'topic.leave', userId: 'u1', topic: 'group:g' },
    ];
    for (const m of msgs) await a!.publish('user:bin', m);
    await until(() => rb.on('user:bin').length === msgs.length, 'all types');
    const got = rb.on('user:bin');
    for (let i = 0; i < msgs.length; i++) {
      const want = msgs[i]!;
      const have = got[i]!;
      if (want.type === 'frames' && have.type === 'frames') {
        expect(have.json).toBe(want.json);
        expect(have.msgpack).toBeInstanceOf(Uint8Array);
        expect(Buffer.from(have.msgpack).equals(Buffer.from(want.msgpack))).toBe(true);
        expect(have.exceptConn).toBe(want.exceptConn);
      } else {
        expect(have).toEqual(want);
      }
    }
  });

  it('delivers to a subscriber as soon as subscribe resolves', async () => {
    const [a, b] = await nodes(2);
    const rb = recorder(b!);
    for (let i = 0; i < 20; i++) {
      await b!.subscribe(`user:s${i}`);
      await a!.publish(`user:s${i}`, inv(String(i)));
    }
    await until(() => rb.got.length === 20, 'one message per fresh topic');
  });

  it('close: a closed node gets nothing and refuses to publish; the others go on', async () => {
    const [a, b, c] = await nodes(3);
    const rb = recorder(b!),
      rc = recorder(c!);
    await b!.subscribe('user:c');
    await c!.subscribe('user:c');
    await b!.close();
    expect(b!.healthy).toBe(false);
    await expect(b!.publish('user:c', inv('no'))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await a!.publish('user:c', inv('yes'));
    await until(() => rc.on('user:c').length === 1, 'delivery to c');
    await sleep(30);
    expect(rb.got).toEqual([]);
    await b!.close(); // idempotent
  });

  it('isolates handlers: one that throws does not stop the others', async () => {
    const [a, b] = await nodes(2);
    b!.onMessage(() => {
      throw new Error('boom');
    });
    const rb = recorder(b!);
    await b!.subscribe('user:h');
    await a!.publish('user:h', inv('1'));
    await a!.publish('user:h', inv('2'));
    await until(() => rb.on('user:h').length === 2, 'both messages despite a failing handler');
  });
});
