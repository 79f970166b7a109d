import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { AppError } from '../../src/domain/errors.js';
import type { EntryLogRepo, WriteItem, WriteOutcome } from '../../src/store/entry-log.js';
import { MessageWriter } from '../../src/services/message-writer.js';

/**
 * An in-memory `EntryLogRepo`: numbers items per conversation, records each batch, and can be
 * told to hold a commit open or to fail the next one.
 */
class FakeLog implements EntryLogRepo {
  readonly batches: { items: string[]; now: number }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  failNext: Error | undefined;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;
  private readonly seqs = new Map<string, number>();

  holdCommits() {
    this.gate = new Promise((r) => (this.open = r));
  }
  releaseCommits() {
    this.open?.();
    this.gate = undefined;
  }

  async commit(items: readonly WriteItem[], now: number): Promise<WriteOutcome[]> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.batches.push({ items: items.map((i) => i.clientId), now });
    try {
      await this.gate;
      await Promise.resolve();
      if (this.failNext) {
        const e = this.failNext;
        this.failNext = undefined;
        throw e;
      }
      return items.map((it) => {
        const seq = (this.seqs.get(it.conversationId) ?? 0) + 1;
        this.seqs.set(it.conversationId, seq);
        return {
          duplicate: false,
          row: {
            conversation_id: it.conversationId,
            seq,
            id: `e-${it.clientId}`,
            sender_id: it.senderId,
            client_id: it.clientId,
            kind: it.kind,
            body: JSON.stringify(it.body),
            target_seq: null,
            created_at: now,
            edited_at: null,
            recalled_at: null,
          },
        };
      });
    } finally {
      this.inFlight--;
    }
  }

  async sweep() {
    return 0;
  }
}

const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const item = (clientId: string, conversationId = 'g:one'): WriteItem => ({
  conversationId,
  conversationKind: 'group',
  senderId: 'u',
  clientId,
  kind: 'text',
  body: { text: clientId },
});
const settle = () => new Promise((r) => setImmediate(r));

function setup(commitWindow: number, commitBatch: number) {
  const log = new FakeLog();
  const clock = new ManualClock();
  const writer = new MessageWriter(log, clock, { commitWindow, commitBatch }, quiet);
  return { log, clock, writer };
}

describe('MessageWriter', () => {
  it("gathers the sends of one window into one commit, stamped with the clock's time", async () => {
    const { log, clock, writer } = setup(20, 100);
    const sent = ['a', 'b', 'c'].map((c) => writer.append(item(c)));
    await settle();
    expect(log.batches).toEqual([]); // the window is still open
    clock.advance(19);
    await settle();
    expect(log.batches).toEqual([]);
    clock.advance(1);
    const out = await Promise.all(sent);
    expect(log.batches).toEqual([{ items: ['a', 'b', 'c'], now: clock.now() }]);
    expect(out.map((o) => [o.row.client_id, o.row.seq])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
  });

  it('commits on the next tick with a zero window', async () => {
    const { log, writer } = setup(0, 100);
    const sent = [writer.append(item('x')), writer.append(item('y'))];
    await Promise.all(sent);
    expect(log.batches.map((b) => b.items)).toEqual([['x', 'y']]);
  });

  it('commits a full batch at once and splits what passes the cap, in order', async () => {
    const { log, clock, writer } = setup(1000, 4);
    const ids = Array.from({ length: 10 }, (_, i) => `m${i}`);
    const sent = ids.map((c) => writer.append(item(c)));
    await settle();
    await settle();
    // Two full batches went without waiting for the window; the remainder waits for it.
    expect(log.batches.map((b) => b.items)).toEqual([ids.slice(0, 4), ids.slice(4, 8)]);
    clock.advance(1000);
    const out = await Promise.all(sent);
    expect(log.batches.map((b) => b.items)).toEqual([ids.slice(0, 4), ids.slice(4, 8), ids.slice(8)]);
    expect(out.map((o) => o.row.client_id)).toEqual(ids);
    expect(log.maxInFlight).toBe(1);
  });

  it('runs one transaction at a time and gathers the next batch while one commits', async () => {
    const { log, clock, writer } = setup(5, 100);
    log.holdCommits();
    const first = writer.append(item('first'));
    clock.advance(5);
    await settle();
    expect(log.batches).toHaveLength(1);
    const later = ['l1', 'l2', 'l3'].map((c) => writer.append(item(c)));
    clock.advance(50);
    await settle();
    expect(log.batches).toHaveLength(1); // still committing: nothing else starts
    log.releaseCommits();
    await first;
    await settle(); // the finished commit hands the gathered batch to the window
    clock.advance(5);
    await Promise.all(later);
    expect(log.batches.map((b) => b.items)).toEqual([['first'], ['l1', 'l2', 'l3']]);
    expect(log.maxInFlight).toBe(1);
  });

  it('rejects every send of a failed batch and goes on with the next one', async () => {
    const { log, clock, writer } = setup(5, 2);
    log.failNext = new Error('disk on fire');
    const a = writer.append(item('a'));
    const b = writer.append(item('b'));
    const c = writer.append(item('c'));
    await expect(a).rejects.toThrow('disk on fire');
    await expect(b).rejects.toThrow('disk on fire');
    clock.advance(5);
    expect((await c).row.client_id).toBe('c');
    expect(log.batches.map((x) => x.items)).toEqual([['a', 'b'], ['c']]);
  });

  it('close() commits what is pending without waiting for the window, then refuses with UNAVAILABLE', async () => {
    const { log, writer } = setup(60_000, 100);
    const pending = ['p1', 'p2'].map((c) => writer.append(item(c)));
    await settle();
    expect(log.batches).toEqual([]);
    await writer.close(); // the clock never moves: close itself flushes
    expect((await Promise.all(pending)).map((o) => o.row.client_id)).toEqual(['p1', 'p2']);
    expect(log.batches.map((b) => b.items)).toEqual([['p1', 'p2']]);
    const refused = await writer.append(item('late')).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('UNAVAILABLE');
    expect(log.batches).toHaveLength(1);
  });

  it('close() waits for the commit in flight and for what queued behind it', async () => {
    const { log, clock, writer } = setup(5, 100);
    log.holdCommits();
    const first = writer.append(item('first'));
    clock.advance(5);
    await settle();
    const behind = writer.append(item('behind'));
    let closed = false;
    const closing = writer.close().then(() => (closed = true));
    await settle();
    expect(closed).toBe(false);
    log.releaseCommits();
    await closing;
    expect((await first).row.client_id).toBe('first');
    expect((await behind).row.client_id).toBe('behind');
    expect(log.batches.map((b) => b.items)).toEqual([['first'], ['behind']]);
  });
});
