import { describe, expect, it } from 'vitest';
import { ParleyClient, type WebSocketLike, type ClientFrame, type ServerFrame } from '@parley/client';

/** A fake browser-style WebSocket: the test plays the server. */
class FakeWs implements WebSocketLike {
  static made: FakeWs[] = [];
  binaryType = 'blob';
  readyState = 0;
  protocol = 'parley.v1.json';
  sent: ClientFrame[] = [];
  closedWith?: number;
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {
    FakeWs.made.push(this);
  }
  send(data: string | Uint8Array) {
    this.sent.push(JSON.parse(String(data)) as ClientFrame);
  }
  close(code?: number) {
    this.closedWith = code;
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  frame(f: ServerFrame) {
    this.onmessage?.({ data: JSON.stringify(f) });
  }
  ready() {
    this.frame({ type: 'ready', user: { id: 'u1', username: 'a', nickname: 'a' }, serverTime: 1, sessionId: 's1' });
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));

function client(token: () => Promise<string>) {
  FakeWs.made = [];
  return new ParleyClient({ urls: ['ws://x/ws'], token, WebSocket: FakeWs, backoffInitialMs: 10_000 });
}

describe('ParleyClient connect / close', () => {
  it('connect() after close() starts over in full: one new socket, a fresh token, a full sync from the kept positions', async () => {
    const tokens = ['t1', 't2'];
    const c = client(async () => tokens.shift()!);
    const states: string[] = [];
    c.on('state', (s) => states.push(s));
    const first = c.connect();
    await tick();
    FakeWs.made[0]!.open();
    FakeWs.made[0]!.ready();
    await first;
    FakeWs.made[0]!.frame({
      type: 'sync.done',
      events: [],
      cursor: 3,
      conversations: [
        { id: 'd:a:b', kind: 'dm', minSeq: 1, maxSeq: 4, readSeq: 0, unread: 0, muted: false, pinned: false },
      ],
    });
    c.close();
    expect(FakeWs.made[0]!.closedWith).toBe(1000);
    expect(c.state).toBe('offline');

    const second = c.connect();
    expect(c.state).toBe('connecting');
    await tick();
    expect(FakeWs.made).toHaveLength(2);
    const ws = FakeWs.made[1]!;
    ws.open();
    ws.ready();
    await second;
    expect(c.state).toBe('online');
    expect(ws.sent).toEqual([
      { type: 'auth', token: 't2' },
      { type: 'sync', conversations: { 'd:a:b': 0 }, events: 3 },
    ]);
    const sent = c.send({ to: 'd:a:b', kind: 'text', text: 'hi', clientId: 'k1' });
    ws.frame({ type: 'ack', clientId: 'k1', conversation: 'd:a:b', seq: 1, id: 'e1', ts: 1 });
    expect((await sent).seq).toBe(1);
    expect(states).toEqual(['connecting', 'online', 'offline', 'connecting', 'online']);
    c.close();
  });

  it('a close() while the token is being fetched opens no socket, even when connect() follows at once', async () => {
    let release: (t: string) => void = () => {};
    const c = client(() => new Promise<string>((r) => (release = r)));
    const first = c.connect();
    const releaseFirst = release;
    c.close();
    await expect(first).rejects.toThrow('client closed');
    const second = c.connect();
    releaseFirst('stale'); // the first attempt's token arrives late
    release('fresh');
    await tick();
    expect(FakeWs.made).toHaveLength(1);
    FakeWs.made[0]!.open();
    expect(FakeWs.made[0]!.sent).toEqual([{ type: 'auth', token: 'fresh' }]);
    FakeWs.made[0]!.ready();
    await second;
    c.close();
  });

  it('connect() while started opens no second socket and resolves with the same ready', async () => {
    const c = client(async () => 't');
    const a = c.connect();
    const b = c.connect();
    await tick();
    expect(FakeWs.made).toHaveLength(1);
    FakeWs.made[0]!.open();
    FakeWs.made[0]!.ready();
    await Promise.all([a, b]);
    await c.connect(); // online already: at once
    expect(FakeWs.made).toHaveLength(1);
    c.close();
  });

  it('drop() closes the socket with the client-dropped code (4000)', async () => {
    const c = client(async () => 't');
    const p = c.connect();
    await tick();
    FakeWs.made[0]!.open();
    FakeWs.made[0]!.ready();
    await p;
    c.drop();
    expect(FakeWs.made[0]!.closedWith).toBe(4000);
    c.close();
  });
});
