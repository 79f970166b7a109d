import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Outbox, SendError, type AckFrame, type ClientFrame } from '@parley/client';

const send = (clientId: string, text = clientId): ClientFrame & { clientId: string } => ({
  type: 'send',
  clientId,
  to: 'd:a:b',
  kind: 'text',
  text,
});
const ack = (clientId: string, seq: number): AckFrame => ({
  type: 'ack',
  clientId,
  conversation: 'd:a:b',
  seq,
  id: `e${seq}`,
  ts: seq,
});

/** A fake socket that records what the outbox writes; `online` decides whether writes land. */
function harness() {
  const wrote: ClientFrame[] = [];
  let online = true;
  const box = new Outbox((f) => (online ? (wrote.push(f), true) : false), {
    unavailableRetryMs: 100,
    backoffMaxMs: 1000,
    random: () => 0,
  });
  const ids = () => wrote.map((f) => (f as { clientId: string }).clientId);
  return { box, wrote, ids, setOnline: (v: boolean) => (online = v) };
}

describe('Outbox', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('resends every unacknowledged frame unchanged (same clientId), in the order they were added', async () => {
    const h = harness();
    h.setOnline(false);
    const p1 = h.box.add(send('c1'));
    const p2 = h.box.add(send('c2'));
    const p3 = h.box.add(send('c3'));
    expect(h.wrote).toEqual([]);
    h.setOnline(true);
    h.box.resendAll();
    expect(h.wrote).toEqual([send('c1'), send('c2'), send('c3')]);
    h.box.acked(ack('c2', 8));
    expect(h.box.clientIds).toEqual(['c1', 'c3']);
    h.box.resendAll(); // a reconnect before the other acks
    expect(h.ids()).toEqual(['c1', 'c2', 'c3', 'c1', 'c3']);
    h.box.acked(ack('c3', 9));
    h.box.acked(ack('c1', 7));
    h.box.acked(ack('c1', 7)); // a duplicate ack changes nothing
    expect(await Promise.all([p1, p2, p3])).toEqual([ack('c1', 7), ack('c2', 8), ack('c3', 9)]);
    expect(h.box.clientIds).toEqual([]);
    h.box.resendAll();
    expect(h.wrote).toHaveLength(5);
  });

  it('a final error rejects only its send; a temporary one (UNAVAILABLE) keeps it and resends the refused ones after a backoff, in order', async () => {
    const h = harness();
    const p1 = h.box.add(send('c1'));
    const p2 = h.box.add(send('c2'));
    const p3 = h.box.add(send('c3'));
    h.box.refused({ type: 'error', code: 'NOT_FRIENDS', message: 'no', clientId: 'c2' });
    await expect(p2).rejects.toEqual(new SendError('NOT_FRIENDS', 'no'));
    h.box.refused({ type: 'error', code: 'UNAVAILABLE', message: 'db', temporary: true, clientId: 'c3' });
    h.box.refused({ type: 'error', code: 'UNAVAILABLE', message: 'db', temporary: true, clientId: 'c1' });
    h.box.refused({ type: 'error', code: 'RATE_LIMITED', message: 'x', temporary: true }); // no clientId: not a send's
    expect(h.box.clientIds).toEqual(['c1', 'c3']);
    h.wrote.length = 0;
    vi.advanceTimersByTime(49); // half the 100 ms base is fixed, the jitter (random 0) adds nothing
    expect(h.wrote).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(h.ids()).toEqual(['c1', 'c3']); // one timer, original order
    // A second refusal of either doubles the delay.
    h.box.refused({ type: 'error', code: 'UNAVAILABLE', message: 'db', temporary: true, clientId: 'c1' });
    vi.advanceTimersByTime(99);
    expect(h.wrote).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(h.ids()).toEqual(['c1', 'c3', 'c1', 'c3']);
    h.box.acked(ack('c1', 1));
    h.box.acked(ack('c3', 2));
    expect((await p1).seq).toBe(1);
    expect((await p3).seq).toBe(2);
  });

  it('close rejects everything pending with CLOSED and cancels a scheduled resend', async () => {
    const h = harness();
    const p1 = h.box.add(send('c1'));
    h.box.refused({ type: 'error', code: 'UNAVAILABLE', message: 'db', temporary: true, clientId: 'c1' });
    h.box.close();
    await expect(p1).rejects.toMatchObject({ name: 'SendError', code: 'CLOSED' });
    vi.runAllTimers();
    expect(h.ids()).toEqual(['c1']);
    expect(h.box.clientIds).toEqual([]);
  });
});
