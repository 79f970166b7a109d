import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { CloseCodes, type ReadyFrame } from '@parley/client';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { RawSocket, until } from '../support/ws-clients.js';

const V = '/api/v1';
const MIN = 60_000;
const TTL = 10 * MIN;

/**
 * Sessions and sockets agree (PARLEY_SESSION_TTL over a real socket, time on a ManualClock): a
 * socket that is used keeps its session alive, for REST too; an idle socket is closed 4001 once
 * its session expires; a session revoked without any notice reaching the socket is closed 4003
 * at the next check.
 */
describe.each(testDialects())('sessions and sockets on %s', (dialect) => {
  let s: TestServer;
  const clock = new ManualClock(Date.now());
  beforeAll(async () => {
    s = await startServer({
      dialect,
      clock,
      config: { sessionTtl: TTL, pingInterval: MIN, idleTimeout: 24 * 60 * MIN, authTimeout: 60 * MIN },
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  const login = async (u: { username: string; password: string }) => {
    const r = await s.api.post(`${V}/auth/login`, { login: u.username, password: u.password, device: 'test' });
    expect(r.status).toBe(200);
    return r.body.token as string;
  };

  /** One minute passes; the active socket sends a frame (and is answered) in it. */
  async function minute(active?: RawSocket, n = 0) {
    if (active) {
      active.send({ type: 'ping', id: `p${n}` });
      await active.next((f) => f.type === 'pong' && (f as { id?: string }).id === `p${n}`);
    }
    clock.advance(MIN);
    // Let the session checks the beat started reach the store and come back.
    await new Promise((r) => setTimeout(r, 50));
  }

  it('an active socket keeps its session alive (REST too); an idle socket is closed 4001 when its session expires', async () => {
    const u = await registerUser(s.api, 'sess');
    const activeToken = u.token;
    const idleToken = await login(u);
    const active = await RawSocket.open(s.url, { token: activeToken });
    const idle = await RawSocket.open(s.url, { token: idleToken });
    await active.next((f) => f.type === 'ready');
    await idle.next((f) => f.type === 'ready');
    for (let i = 0; i < 25 && !idle.closed; i++) await minute(active, i);
    expect(await idle.closedWith()).toBe(CloseCodes.UNAUTHENTICATED);
    expect(idle.closed?.reason).toBe('session expired');
    expect((await s.api.get(`${V}/me`, idleToken)).status).toBe(401);
    // Two and a half TTLs later the used socket is open, and its token still works over REST.
    for (let i = 0; i < 15; i++) await minute(active, 100 + i);
    expect(active.closed).toBeUndefined();
    expect((await s.api.get(`${V}/me`, activeToken)).status).toBe(200);
    active.close();
  });

  it('a session revoked behind the socket’s back (no bus notice) closes it 4003 at the next check', async () => {
    const u = await registerUser(s.api, 'rev');
    const ws = await RawSocket.open(s.url, { token: u.token });
    const ready = await ws.next<ReadyFrame>((f) => f.type === 'ready');
    await s.app.store.sessions.revoke(u.user.id, ready.sessionId, clock.now());
    for (let i = 0; i < 3 && !ws.closed; i++) await minute(ws, i);
    await until(() => ws.closed !== undefined, 5000, 'close');
    expect(ws.closed?.code).toBe(CloseCodes.SESSION_REVOKED);
  });
});
