import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  EntryOrder,
  SyncController,
  type SyncHost,
  type ClientFrame,
  type Entry,
  type SyncDoneFrame,
} from '@parley/client';
import { entry, names, summary } from './fixtures.js';

/** A fake ready socket: records every frame the controller writes, and every event it raises. */
function harness(last: Record<string, number> = {}, cursor?: number) {
  const sent: ClientFrame[] = [];
  const delivered: Entry[] = [];
  const events: [string, unknown][] = [];
  let online = true;
  const order = new EntryOrder((e) => delivered.push(e));
  for (const [c, s] of Object.entries(last)) order.last.set(c, s);
  const host: SyncHost = {
    send: (f) => (online ? (sent.push(f), true) : false),
    online: () => online,
    emit: (k, v) => events.push([k, v]),
  };
  const sync = new SyncController(order, host, { gapDelayMs: 250, syncLimit: 50, unavailableRetryMs: 1000 }, cursor);
  return { sync, sent, delivered, events, order, setOnline: (v: boolean) => (online = v) };
}

const done = (cursor: number, over: Partial<SyncDoneFrame> = {}): SyncDoneFrame => ({
  type: 'sync.done',
  events: [],
  cursor,
  conversations: [],
  ...over,
});

describe('SyncController', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('on connect sends one full sync with every position, the cursor and the limit', () => {
    const h = harness({ a: 3, b: 0 }, 7);
    h.sync.connected();
    expect(h.sent).toEqual([{ type: 'sync', conversations: { a: 3, b: 0 }, events: 7, limit: 50 }]);
    expect(h.sync.syncing).toBe(true);
  });

  it('a first sync (no cursor yet) omits `events`; sync.done places the cursor and the new conversations', async () => {
    const h = harness();
    h.sync.connected();
    expect(h.sent).toEqual([{ type: 'sync', conversations: {}, limit: 50 }]);
    let resolved = false;
    void h.sync.synced().then(() => (resolved = true));
    const ev = { seq: 4, kind: 'friend.added', payload: {}, ts: 1 };
    h.sync.done(done(4, { events: [ev], conversations: [summary('a', 1, 9), summary('b', 6, 9)] }));
    await Promise.resolve();
    expect(resolved).toBe(true);
    expect(h.sync.cursor).toBe(4);
    expect(h.order.last.get('a')).toBe(0);
    expect(h.order.last.get('b')).toBe(5); // entries before minSeq are gone: start after them
    expect(h.events.map(([k]) => k)).toEqual(['event', 'conversation', 'conversation', 'synced']);
    expect(h.sync.syncing).toBe(false);
    vi.runAllTimers();
    expect(h.sent).toHaveLength(1); // nothing left to repair
  });

  it('batches hand entries over once, in order; a reset moves the position and is announced', () => {
    const h = harness({ a: 2, b: 0 });
    h.sync.connected();
    h.sync.batch({ type: 'sync.batch', conversation: 'a', entries: [entry('a', 2), entry('a', 3)], more: true });
    h.sync.batch({ type: 'sync.batch', conversation: 'a', entries: [entry('a', 4)], more: false });
    h.sync.batch({
      type: 'sync.batch',
      conversation: 'b',
      entries: [entry('b', 20), entry('b', 21)],
      more: false,
      reset: 20,
    });
    expect(names(h.delivered)).toEqual(['a#3', 'a#4', 'b#20', 'b#21']);
    expect(h.events).toEqual([['reset', { conversation: 'b', firstSeq: 20 }]]);
  });

  it('a live entry ahead of a gap is held and repaired by an `only` sync of just that conversation', () => {
    const h = harness({ a: 2, b: 5 }, 1);
    h.sync.connected();
    h.sync.done(done(1));
    h.sent.length = 0;
    h.sync.live(entry('a', 5));
    expect(h.delivered).toEqual([]);
    vi.advanceTimersByTime(249);
    expect(h.sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(h.sent).toEqual([{ type: 'sync', conversations: { a: 2 }, events: 1, limit: 50, only: true }]);
    h.sync.batch({ type: 'sync.batch', conversation: 'a', entries: [entry('a', 3), entry('a', 4)], more: false });
    h.sync.done(done(1));
    expect(names(h.delivered)).toEqual(['a#3', 'a#4', 'a#5']);
    vi.runAllTimers();
    expect(h.sent).toHaveLength(1);
  });

  it('a gap found while a sync runs is repaired right after it, once', () => {
    const h = harness({ a: 0 }, 0);
    h.sync.connected();
    h.sync.event({ seq: 3, kind: 'x', payload: {}, ts: 1 }, false); // cursor 0 → 3: events missing
    vi.advanceTimersByTime(250);
    expect(h.sent).toHaveLength(1); // still syncing: no second sync on the wire
    h.sync.done(done(1));
    vi.advanceTimersByTime(0);
    expect(h.sent).toEqual([
      { type: 'sync', conversations: { a: 0 }, events: 0, limit: 50 },
      { type: 'sync', conversations: {}, events: 1, limit: 50, only: true },
    ]);
  });

  it('held entries three repairs cannot place are dropped instead of syncing forever', () => {
    const h = harness({ a: 1 }, 0);
    h.sync.connected();
    h.sync.done(done(0));
    h.sync.live(entry('a', 9));
    for (let i = 0; i < 3; i++) {
      vi.advanceTimersByTime(250);
      h.sync.done(done(0)); // the server sends nothing for `a` (e.g. the user left it)
    }
    expect(h.order.gaps()).toEqual([]);
    vi.runAllTimers();
    expect(h.sent.map((f) => (f as { only?: boolean }).only ?? false)).toEqual([false, true, true, true]);
    expect(h.delivered).toEqual([]);
  });

  it('a refused sync (no clientId) is tried again after the delay; other errors are ignored', () => {
    const h = harness({ a: 4 }, 2);
    h.sync.connected();
    h.sync.error({ type: 'error', code: 'NOT_A_MEMBER', message: 'x' });
    h.sync.error({ type: 'error', code: 'UNAVAILABLE', message: 'x', temporary: true, clientId: 'c1' });
    expect(h.sync.syncing).toBe(true);
    h.sync.error({ type: 'error', code: 'UNAVAILABLE', message: 'db down', temporary: true });
    expect(h.sync.syncing).toBe(false);
    vi.advanceTimersByTime(999);
    expect(h.sent).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(h.sent).toEqual([
      { type: 'sync', conversations: { a: 4 }, events: 2, limit: 50 },
      { type: 'sync', conversations: { a: 4 }, events: 2, limit: 50 },
    ]);
  });

  it('offline: no sync is left "running"; stop() cancels a pending repair', () => {
    const h = harness({ a: 1 }, 0);
    h.setOnline(false);
    h.sync.connected();
    expect(h.sync.syncing).toBe(false);
    h.setOnline(true);
    h.sync.live(entry('a', 3));
    h.sync.stop();
    vi.runAllTimers();
    expect(h.sent).toEqual([]);
  });
});
