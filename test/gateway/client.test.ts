import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { dmId } from '../../src/domain/conversation-id.js';
import { ParleyClient, type ClientState, type WebSocketCtor } from '@parley/client';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { befriend } from '../support/social-fixtures.js';
import { until, wsUrl } from '../support/ws-clients.js';

/** A loopback port with nothing listening (connections are refused). */
async function deadPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

// The client's behaviour does not depend on the database: sqlite only.
describe('protocol client', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ config: { messageRate: 10_000, messageBurst: 10_000 } });
  });
  afterAll(async () => {
    await s?.close();
  });
  const make = (urls: string[], token: string, extra = {}) =>
    new ParleyClient({
      urls,
      token,
      WebSocket: WebSocket as unknown as WebSocketCtor,
      backoffInitialMs: 20,
      backoffMaxMs: 100,
      ...extra,
    });

  it('rotates to the next URL when one is down, and reports its states', async () => {
    const a = await registerUser(s.api, 'a');
    const dead = `ws://127.0.0.1:${await deadPort()}/ws`;
    const c = make([dead, wsUrl(s.url)], a.token);
    const states: ClientState[] = [];
    c.on('state', (st) => states.push(st));
    await c.connect();
    expect(c.state).toBe('online');
    expect(states).toContain('reconnecting');
    expect(states[states.length - 1]).toBe('online');
    expect(c.user?.id).toBe(a.user.id);
    c.close();
    expect(c.state).toBe('offline');
  });

  it('a refused token stops the client instead of retrying forever', async () => {
    const c = make([wsUrl(s.url)], 'not-a-token');
    await expect(c.connect()).rejects.toThrow(/unauthorized/);
    expect(c.state).toBe('offline');
  });

  it('sends made while offline are sent with their clientId once connected; each resolves once', async () => {
    const a = await registerUser(s.api, 'a');
    const b = await registerUser(s.api, 'b');
    await befriend(s.app, a.user.id, b.user.id);
    const dm = dmId(a.user.id, b.user.id);
    const c = make([wsUrl(s.url)], a.token);
    const early = c.send({ to: dm, kind: 'text', text: 'queued', clientId: 'early-1' });
    await c.connect();
    const ack = await early;
    expect(ack).toMatchObject({ clientId: 'early-1', seq: 1 });
    const pong = await c.ping();
    expect(pong.ts).toBeGreaterThan(0);
    c.drop();
    await until(() => c.state === 'online', 5000, 'reconnect');
    expect((await c.send({ to: dm, kind: 'text', text: 'again', clientId: 'early-1' })).seq).toBe(1);
    c.close();
  });

  it('connect() after close() works in full: entries sent meanwhile arrive once, sends are acked', async () => {
    const a = await registerUser(s.api, 'a');
    const b = await registerUser(s.api, 'b');
    await befriend(s.app, a.user.id, b.user.id);
    const dm = dmId(a.user.id, b.user.id);
    const other = make([wsUrl(s.url)], b.token);
    await other.connect();
    const c = make([wsUrl(s.url)], a.token);
    const seen: number[] = [];
    c.on('message', (e) => {
      if (e.conversation === dm) seen.push(e.seq);
    });
    await c.connect();
    await other.send({ to: dm, kind: 'text', text: 'one' });
    await until(() => seen.length === 1, 5000, 'live entry');
    c.close();
    await other.send({ to: dm, kind: 'text', text: 'two' });
    await other.send({ to: dm, kind: 'text', text: 'three' });
    await c.connect();
    await c.synced();
    expect((await c.send({ to: dm, kind: 'text', text: 'four' })).seq).toBe(4);
    await until(() => seen.length === 4, 5000, 'entries after the restart');
    expect(seen).toEqual([1, 2, 3, 4]);
    await until(() => s.app.gateway!.hub.connectionsOf(a.user.id) === 1, 5000, 'the closed socket is gone');
    c.close();
    other.close();
  });
});
