import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ManualClock } from '../../src/domain/clock.js';
import { dmId } from '../../src/domain/conversation-id.js';
import type { ParleyClient } from '@parley/client';
import { testDialects } from '../support/databases.js';
import { DeliveryChecker } from '../support/delivery-checker.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { befriend } from '../support/social-fixtures.js';
import { RawSocket, connectClient, wsUrl } from '../support/ws-clients.js';

const V = '/api/v1';
const login = (s: TestServer, who: { username: string }, password: string) =>
  s.api.post(`${V}/auth/login`, { login: who.username, password, device: 'test' });

describe.each(testDialects())('security on %s', (dialect) => {
  let s: TestServer;
  const open: ParleyClient[] = [];
  beforeAll(async () => {
    s = await startServer({
      dialect,
      config: { loginAttempts: 1000, origins: ['https://chat.example.com'], authTimeout: 2000 },
    });
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await s?.close();
  });

  it('a foreign Origin is refused at the upgrade, with and without credentials; listed and same origins pass', async () => {
    const a = await registerUser(s.api, 'orig');
    const refused = (origin: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(wsUrl(s.url), ['parley.v1.json'], { headers: { origin, ...headers } });
        ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          reject(new Error(`upgraded for ${origin}`));
        });
        ws.on('error', () => {});
      });
    for (const origin of [
      'https://evil.example',
      'null',
      `http://${new URL(s.url).host}.evil.example`,
      'https://chat.example.com.evil.example',
      'http://chat.example.com',
    ]) {
      expect(await refused(origin, { authorization: `Bearer ${a.token}` }), origin).toBe(403);
      expect(await refused(origin), origin).toBe(403);
    }
    for (const origin of ['https://chat.example.com', `http://${new URL(s.url).host}`]) {
      const ws = await RawSocket.open(s.url, { token: a.token, headers: { origin } });
      await ws.next((f) => f.type === 'ready');
      ws.close();
      await ws.closedWith();
    }
  });

  it("logout closes that session's sockets with 4003; the same user's other sessions stay and keep receiving", async () => {
    const a = await registerUser(s.api, 'lo');
    const b = await registerUser(s.api, 'lob');
    await befriend(s.app, a.user.id, b.user.id);
    const second = await login(s, a, a.password);
    const checker = new DeliveryChecker();
    const doomed = await RawSocket.open(s.url, { token: a.token });
    await doomed.next((f) => f.type === 'ready');
    const stays = await connectClient(s.url, second.body.token, 'msgpack', {}, (c) =>
      checker.attach('a2', a.user.id, c),
    );
    const cb = await connectClient(s.url, b.token, 'json', {}, (c) => checker.attach('b1', b.user.id, c));
    open.push(stays, cb);
    expect((await s.api.post(`${V}/auth/logout`, {}, a.token)).status).toBe(200);
    expect(await doomed.closedWith()).toBe(4003);
    expect((await s.api.get(`${V}/me`, a.token)).status).toBe(401);
    const dm = dmId(a.user.id, b.user.id);
    await cb.send({ to: dm, kind: 'text', text: 'after logout' });
    await stays.send({ to: dm, kind: 'text', text: 'still here' });
    const members = { [dm]: [a.user.id, b.user.id] };
    await checker.settle(members);
    checker.verify(members);
    expect(stays.state).toBe('online');
  });

  it("a password change closes every other session's sockets with 4003 and keeps the current one", async () => {
    const a = await registerUser(s.api, 'pw');
    const other = await login(s, a, a.password);
    const wsOld = await RawSocket.open(s.url, { token: other.body.token, codec: 'msgpack' });
    const wsOld2 = await RawSocket.open(s.url, { token: other.body.token });
    const wsCur = await RawSocket.open(s.url, { token: a.token });
    for (const w of [wsOld, wsOld2, wsCur]) await w.next((f) => f.type === 'ready');
    expect(
      (await s.api.post(`${V}/me/password`, { current: a.password, password: 'a new long password' }, a.token)).status,
    ).toBeLessThan(300);
    expect(await wsOld.closedWith()).toBe(4003);
    expect(await wsOld2.closedWith()).toBe(4003);
    wsCur.send({ type: 'ping', id: 'cur' });
    await wsCur.next((f) => f.type === 'pong');
    expect(wsCur.closed).toBeUndefined();
    expect((await s.api.get(`${V}/me`, other.body.token)).status).toBe(401);
    expect((await s.api.get(`${V}/me`, a.token)).status).toBe(200);
    // The revoked token cannot open a new socket either (header or auth frame).
    await expect(RawSocket.open(s.url, { token: other.body.token })).rejects.toMatchObject({ status: 401 });
    const late = await RawSocket.open(s.url);
    late.send({ type: 'auth', token: other.body.token });
    expect(await late.closedWith()).toBe(4001);
    wsCur.close();
  });

  it('tokens never appear in the logs: logins, Bearer and auth-frame sockets, failed auth, logout, password change', async () => {
    const before = s.logs.lines.length;
    const a = await registerUser(s.api, 'tok');
    const second = await login(s, a, a.password);
    const tokens: string[] = [a.token, second.body.token];
    const h = await RawSocket.open(s.url, { token: a.token });
    await h.next((f) => f.type === 'ready');
    const f = await RawSocket.open(s.url, { codec: 'msgpack' });
    f.send({ type: 'auth', token: second.body.token });
    await f.next((x) => x.type === 'ready');
    // Failures: a wrong Bearer on the upgrade, a wrong auth frame, a wrong REST token, a bad login.
    const wrong = `${a.token.slice(0, -4)}AAAA`;
    tokens.push(wrong);
    await expect(RawSocket.open(s.url, { token: wrong })).rejects.toMatchObject({ status: 401 });
    const bad = await RawSocket.open(s.url);
    bad.send({ type: 'auth', token: wrong });
    expect(await bad.closedWith()).toBe(4001);
    await s.api.get(`${V}/me`, wrong);
    // A careless client's token in a query string, and a media URL signature: never logged.
    await s.api.req('GET', `${V}/me?token=${wrong}`);
    await s.api.req('GET', '/media/01hzzzzzzzzzzzzzzzzzzzzzzz?e=99999999999999&s=SIGNATURE-SECRET-VALUE');
    await login(s, a, 'not the password');
    const changed = await s.api.post(
      `${V}/me/password`,
      { current: a.password, password: 'another long password' },
      a.token,
    );
    expect(changed.status).toBeLessThan(300);
    expect(await f.closedWith()).toBe(4003);
    const third = await login(s, a, 'another long password');
    tokens.push(third.body.token);
    await s.api.post(`${V}/auth/logout`, {}, third.body.token);
    h.close();
    const logged = s.logs.lines.slice(before).join('\n');
    expect(logged.length).toBeGreaterThan(500);
    for (const t of tokens) {
      expect(logged).not.toContain(t);
      expect(logged).not.toContain(t.slice(0, 24)); // no prefix of it either
      expect(logged).not.toContain(createHash('sha256').update(t).digest('hex'));
    }
    for (const p of [a.password, 'another long password', 'not the password', 'SIGNATURE-SECRET-VALUE'])
      expect(logged).not.toContain(p);
  });
});

// The real argon2id hasher: verification takes real time on the thread pool, which is what
// lets concurrent guesses overlap (the fast test hasher would hide a check-then-count race).
describe.each(testDialects())('login throttling on %s', (dialect) => {
  let s: TestServer;
  const clock = new ManualClock(Date.now());
  beforeAll(async () => {
    s = await startServer({ dialect, clock, realHasher: true, config: { loginAttempts: 3, loginWindow: 60_000 } });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('login throttling holds under a concurrent burst: no more guesses are checked than the limit', async () => {
    const a = await registerUser(s.api, 'burst');
    const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => login(s, a, `wrong guess ${i}`)));
    const statuses = burst.map((r) => r.status);
    expect(
      statuses.every((x) => x === 401 || x === 429),
      statuses.join(','),
    ).toBe(true);
    // Each 401 is a password that was actually checked: at most `loginAttempts` of them.
    expect(statuses.filter((x) => x === 401).length, statuses.join(',')).toBeLessThanOrEqual(3);
    expect((await login(s, a, a.password)).status).toBe(429);
    // Not locked out for good: the owner's live session keeps working during the
    // lockout, and once the window passes the owner logs in with the right password.
    expect((await s.api.get(`${V}/me`, a.token)).status).toBe(200);
    clock.advance(61_000);
    expect((await login(s, a, a.password)).status).toBe(200);
  });

  it('a success does not leave attempts behind that would lock out the next failures early', async () => {
    const a = await registerUser(s.api, 'reset');
    for (let i = 0; i < 5; i++) expect((await login(s, a, a.password)).status).toBe(200);
    expect((await login(s, a, 'wrong one')).status).toBe(401);
    expect((await login(s, a, a.password)).status).toBe(200);
    clock.advance(61_000);
  });
});
