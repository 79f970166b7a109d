import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { dmId } from '../../src/domain/conversation-id.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { befriend } from '../support/social-fixtures.js';
import { RawSocket, until, wsUrl } from '../support/ws-clients.js';

const refusal = (url: string, headers: Record<string, string>, path = '/ws') =>
  new Promise<number>((resolve, reject) => {
    const ws = new WebSocket(wsUrl(url).replace(/\/ws$/, path), { headers });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => reject(new Error('upgraded')));
    ws.on('error', () => {});
  });

describe.each(testDialects())('gateway connections on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({
      dialect,
      config: {
        authTimeout: 400,
        connectionsPerUser: 2,
        origins: ['https://chat.example.com'],
        slowConsumerBytes: 64 * 1024,
        pingInterval: 100,
        idleTimeout: 1500,
        messageRate: 100_000,
        messageBurst: 100_000,
      },
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('Origin: foreign refused with 403 before upgrading; same-origin, listed and absent allowed', async () => {
    const a = await registerUser(s.api, 'a');
    const host = new URL(s.url).host;
    expect(await refusal(s.url, { origin: 'https://evil.example', authorization: `Bearer ${a.token}` })).toBe(403);
    for (const origin of [`http://${host}`, 'https://chat.example.com', undefined]) {
      const ws = await RawSocket.open(s.url, { token: a.token, headers: origin ? { origin } : {} });
      await ws.next((f) => f.type === 'ready');
      ws.close();
      await ws.closedWith();
    }
    expect(await refusal(s.url, {}, '/nope')).toBe(404);
  });

  it('auth: bad header 401; ready carries user and session; auth frame works; timeout closes 4002 (not a session verdict), bad token and other first frames 4001', async () => {
    const a = await registerUser(s.api, 'a');
    expect(await refusal(s.url, { authorization: 'Bearer nope' })).toBe(401);
    const h = await RawSocket.open(s.url, { token: a.token });
    const ready = await h.next((f) => f.type === 'ready');
    expect(ready).toMatchObject({
      user: { id: a.user.id, username: a.username },
      sessionId: expect.any(String),
      serverTime: expect.any(Number),
    });
    h.close();

    const f = await RawSocket.open(s.url, { codec: 'msgpack' });
    f.send({ type: 'auth', token: a.token });
    await f.next((x) => x.type === 'ready');
    f.close();

    const slow = await RawSocket.open(s.url);
    expect(await slow.closedWith()).toBe(4002);
    const bad = await RawSocket.open(s.url);
    bad.send({ type: 'auth', token: 'wrong' });
    expect(await bad.closedWith()).toBe(4001);
    const early = await RawSocket.open(s.url);
    early.send({ type: 'ping' });
    expect(await early.closedWith()).toBe(4001);
    await until(() => s.app.gateway!.hub.connectionsOf(a.user.id) === 0, 2000, 'cleanup');
  });

  it('connections per user: the extra one is refused at the upgrade with 429 (Bearer header) or closed with 4008 (auth frame)', async () => {
    const a = await registerUser(s.api, 'a');
    const w1 = await RawSocket.open(s.url, { token: a.token });
    await w1.next((f) => f.type === 'ready');
    const w2 = await RawSocket.open(s.url, { token: a.token });
    await w2.next((f) => f.type === 'ready');
    await expect(RawSocket.open(s.url, { token: a.token })).rejects.toMatchObject({ status: 429 });
    const w3 = await RawSocket.open(s.url);
    w3.send({ type: 'auth', token: a.token });
    expect(await w3.closedWith()).toBe(4008);
    w1.send({ type: 'ping', id: 1 });
    await w1.next((f) => f.type === 'pong');
    w1.close();
    w2.close();
  });

  it('heartbeat: a silent client (no pongs) is closed with 4010; one answering pings stays', async () => {
    const a = await registerUser(s.api, 'a');
    const quiet = await RawSocket.open(s.url, { token: a.token, autoPong: false });
    const alive = await RawSocket.open(s.url, { token: a.token });
    await quiet.next((f) => f.type === 'ready');
    await alive.next((f) => f.type === 'ready');
    expect(await quiet.closedWith(8000)).toBe(4010);
    expect(alive.closed).toBeUndefined();
    alive.close();
  });

  it("logout closes that session's sockets with 4003", async () => {
    const a = await registerUser(s.api, 'a');
    const ws = await RawSocket.open(s.url, { token: a.token });
    await ws.next((f) => f.type === 'ready');
    expect((await s.api.post('/api/v1/auth/logout', {}, a.token)).status).toBe(200);
    expect(await ws.closedWith()).toBe(4003);
  });
});

describe.each(testDialects())('slow consumers on %s', (dialect) => {
  let s2: TestServer;
  beforeAll(async () => {
    s2 = await startServer({
      dialect,
      config: {
        slowConsumerBytes: 256 * 1024,
        textLimit: 60_000,
        frameLimit: 128 * 1024,
        messageRate: 100_000,
        messageBurst: 100_000,
        idleTimeout: 120_000,
      },
    });
  });
  afterAll(async () => {
    await s2?.close();
  });

  it('a slow consumer is closed with 4009 and its buffer stays bounded', async () => {
    const a = await registerUser(s2.api, 'a');
    const b = await registerUser(s2.api, 'b');
    await befriend(s2.app, a.user.id, b.user.id);
    const dm = dmId(a.user.id, b.user.id);
    const reader = await RawSocket.open(s2.url, { token: b.token });
    await reader.next((f) => f.type === 'ready');
    // Stop reading at the TCP level: the server's unsent buffer grows.
    (reader.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const sender = await RawSocket.open(s2.url, { token: a.token });
    await sender.next((f) => f.type === 'ready');
    const text = 'y'.repeat(50_000);
    let sent = 0;
    const slowCount = async () => (await s2.app.metrics.slowConsumers.get()).values[0]?.value ?? 0;
    const start = await slowCount();
    while ((await slowCount()) === start && sent < 2000) {
      for (let i = 0; i < 20; i++) sender.send({ type: 'send', clientId: `s${sent++}`, to: dm, kind: 'text', text });
      await sender.next((f) => f.type === 'ack' && f.clientId === `s${sent - 1}`, 10_000);
      sender.frames.length = 0;
    }
    expect(await slowCount()).toBe(start + 1);
    // Once closed as slow, the socket is out of the hub: nothing more is buffered for it.
    await until(() => s2.app.gateway!.hub.connectionsOf(b.user.id) === 0, 5000, 'removed from hub');
    (reader.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await reader.closedWith(10_000)).toBe(4009);
    sender.send({ type: 'ping', id: 'still' });
    await sender.next((f) => f.type === 'pong');
    sender.close();
  }, 60_000);
});
