import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { dmId } from '../../src/domain/conversation-id.js';
import { type ClientOptions, type ClientState, ParleyClient, type WebSocketCtor } from '@parley/client';
import { CutProxy } from '../browser/cut-proxy.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { befriend } from '../support/social-fixtures.js';
import { until, wsUrl } from '../support/ws-clients.js';

// The protocol client over links that are slow, half-open or refused, through a real TCP proxy.
// Timings are generous bounds on what must eventually happen, never measurements of speed.
describe('protocol client on bad links', () => {
  let s: TestServer;
  let proxy: CutProxy;
  let viaProxy: string;
  const clients: ParleyClient[] = [];
  beforeAll(async () => {
    s = await startServer({
      config: { authTimeout: 400, idleTimeout: 1500, pingInterval: 250, connectionsPerUser: 1 },
    });
    proxy = new CutProxy(Number(new URL(s.url).port));
    viaProxy = wsUrl(await proxy.listen());
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
    proxy.restore();
  });
  afterAll(async () => {
    await proxy?.close();
    await s?.close();
  });
  const make = (url: string, token: string, extra: Partial<ClientOptions> = {}) => {
    const c = new ParleyClient({
      urls: [url],
      token,
      WebSocket: WebSocket as unknown as WebSocketCtor,
      backoffInitialMs: 50,
      backoffMaxMs: 300,
      ...extra,
    });
    clients.push(c);
    return c;
  };
  async function pair() {
    const a = await registerUser(s.api, 'a');
    const b = await registerUser(s.api, 'b');
    await befriend(s.app, a.user.id, b.user.id);
    return { a, b, dm: dmId(a.user.id, b.user.id) };
  }

  it('an auth frame later than the auth timeout closes 4002: the client keeps its session and reconnects', async () => {
    const { a, b, dm } = await pair();
    proxy.impair('up', { delayMs: 1000 });
    const c = make(viaProxy, a.token);
    const closes: number[] = [];
    const seen: string[] = [];
    c.on('unauthorized', (u) => closes.push(u.code));
    const peer = make(wsUrl(s.url), b.token);
    peer.on('message', (e) => e.text && seen.push(e.text));
    await peer.connect();
    const sent = c.send({ to: dm, kind: 'text', text: 'over a slow uplink', clientId: 'slow-1' });
    const ready = c.connect();
    // A few attempts time out meanwhile; none of them is taken for a refused session.
    await until(() => s.app.gateway !== undefined && c.state === 'reconnecting', 10_000, 'a timed-out attempt');
    await new Promise((r) => setTimeout(r, 1500));
    expect(c.state).not.toBe('offline');
    expect(closes).toEqual([]);
    proxy.restore();
    await ready;
    expect((await sent).clientId).toBe('slow-1');
    await until(() => seen.includes('over a slow uplink'), 10_000, 'delivery');
    expect(seen.filter((t) => t === 'over a slow uplink')).toHaveLength(1);
  });

  it('a half-open link is noticed by the heartbeat, the peer sees the user go offline, and a send made meanwhile arrives once', async () => {
    const { a, b, dm } = await pair();
    const c = make(viaProxy, a.token, { heartbeatMs: 200, deadLinkMs: 800 });
    const peer = make(wsUrl(s.url), b.token);
    const online = new Map<string, boolean>();
    const seen: string[] = [];
    peer.on('presence', (p) => online.set(p.userId, p.online));
    peer.on('message', (e) => e.text && seen.push(e.text));
    await peer.connect();
    await c.connect();
    await until(() => online.get(a.user.id) === true, 10_000, 'presence online');
    const states: ClientState[] = [];
    c.on('state', (st) => states.push(st));

    proxy.blackHole();
    const sent = c.send({ to: dm, kind: 'text', text: 'into the void', clientId: 'void-1' });
    await until(() => states.includes('reconnecting'), 10_000, 'the client notices the dead link');
    // The server's side of it: nothing heard within its idle timeout → closed, presence offline.
    await until(() => online.get(a.user.id) === false, 10_000, 'presence offline');
    expect(seen).not.toContain('into the void');

    proxy.restore();
    await until(() => c.state === 'online', 10_000, 'back online');
    expect((await sent).clientId).toBe('void-1');
    await until(() => seen.includes('into the void'), 10_000, 'delivery');
    // The held bytes of the abandoned socket (the first copy of the send) arrive too: still once.
    await new Promise((r) => setTimeout(r, 500));
    expect(seen.filter((t) => t === 'into the void')).toHaveLength(1);
    await until(() => online.get(a.user.id) === true, 10_000, 'presence online again');
  });

  it('over the per-user connection limit (4008) the client stops and says so, then connects when asked', async () => {
    const { a } = await pair();
    const first = make(wsUrl(s.url), a.token);
    await first.connect();
    const second = make(wsUrl(s.url), a.token);
    const refused: number[] = [];
    const unauthorized: number[] = [];
    second.on('refused', (r) => refused.push(r.code));
    second.on('unauthorized', (r) => unauthorized.push(r.code));
    await expect(second.connect()).rejects.toThrow(/refused/);
    expect(second.state).toBe('offline');
    expect(refused).toEqual([4008]);
    expect(unauthorized).toEqual([]);
    first.close();
    await until(() => s.app.gateway!.hub.connectionsOf(a.user.id) === 0, 5000, 'the slot is free');
    await second.connect();
    expect(second.state).toBe('online');
  });
});
