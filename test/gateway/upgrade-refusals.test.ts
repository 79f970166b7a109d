import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ErrorCode, isTemporary } from '../../src/domain/errors.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { RawSocket, until } from '../support/ws-clients.js';
import { RawConnection } from '../hardening/raw-ws.js';

/** Sends a raw upgrade request; the refusal's status, headers and coded JSON body. */
async function refusal(port: number, request: string) {
  const c = await RawConnection.open(port, request);
  const status = await c.httpStatus();
  await c.until(() => c.ended, 'the server to close the refused connection');
  const [head, body = ''] = c.head.split('\r\n\r\n');
  const headers = new Map(
    head!
      .split('\r\n')
      .slice(1)
      .map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
  );
  expect(headers.get('content-type'), c.head).toBe('application/json');
  const json = JSON.parse(body);
  // `temporary: true` exactly on the codes the catalogue marks temporary, nothing else.
  const temporary = isTemporary(json.error.code as ErrorCode);
  expect(Object.keys(json.error).sort(), c.head).toEqual(
    temporary ? ['code', 'message', 'temporary'] : ['code', 'message'],
  );
  if (temporary) expect(json.error.temporary, c.head).toBe(true);
  return { status, code: json.error.code as string, headers };
}

describe('WebSocket upgrade refusals: a status and the coded JSON body', () => {
  let s: TestServer;
  let port: number;
  let user: Awaited<ReturnType<typeof registerUser>>;
  const req = (h: Record<string, string | undefined> = {}) => RawConnection.upgradeRequest(port, h);
  const bearer = () => ({ Authorization: `Bearer ${user.token}` });
  beforeAll(async () => {
    s = await startServer({ config: { connectionsPerUser: 2, origins: ['https://chat.example'] } });
    port = Number(new URL(s.url).port);
    user = await registerUser(s.api, 'up');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('refusals Parley decides: wrong path 404, foreign Origin 403, bad or malformed Bearer 401', async () => {
    expect(await refusal(port, req().replace('GET /ws ', 'GET /elsewhere '))).toMatchObject({
      status: 404,
      code: 'ROUTE_NOT_FOUND',
    });
    expect(await refusal(port, req({ ...bearer(), Origin: 'https://evil.example' }))).toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
    });
    expect(await refusal(port, req({ Authorization: 'Bearer not-a-real-token' }))).toMatchObject({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    expect(await refusal(port, req({ Authorization: 'Basic dTpw' }))).toMatchObject({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
  });

  it('a Bearer token that cannot be checked (database unreachable) is 503 UNAVAILABLE, not 401', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const spy = vi.spyOn(s.app.services.accounts, 'authenticate').mockRejectedValueOnce(down);
    try {
      expect(await refusal(port, req(bearer()))).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
    } finally {
      spy.mockRestore();
    }
    // Once it can be checked again, the same token upgrades.
    (await RawConnection.ready(port, user.token)).destroy();
  });

  it('refusals of malformed handshakes that ws detects come out in the same shape', async () => {
    expect(await refusal(port, req({ 'Sec-WebSocket-Key': undefined }))).toMatchObject({
      status: 400,
      code: 'BAD_REQUEST',
    });
    expect(await refusal(port, req({ 'Sec-WebSocket-Key': 'short' }))).toMatchObject({
      status: 400,
      code: 'BAD_REQUEST',
    });
    expect(await refusal(port, req({ Upgrade: 'chat' }))).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    expect(await refusal(port, req({ 'Sec-WebSocket-Protocol': 'a b,,' }))).toMatchObject({
      status: 400,
      code: 'BAD_REQUEST',
    });
    const version = await refusal(port, req({ 'Sec-WebSocket-Version': '7' }));
    expect(version).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    expect(version.headers.get('sec-websocket-version')).toBe('13, 8');
    const post = await refusal(port, req().replace(/^GET /, 'POST '));
    expect(post).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
    expect(post.headers.get('allow')).toBe('GET');
  });

  it('over the connection limit, a Bearer upgrade is refused with 429 TOO_MANY_CONNECTIONS; refused and broken handshakes hold no slot', async () => {
    const u = await registerUser(s.api, 'lim');
    const auth = { Authorization: `Bearer ${u.token}` };
    // Admitted, then broken by ws (bad key): the slot is given back when the socket ends.
    for (let i = 0; i < 3; i++)
      expect((await refusal(port, req({ ...auth, 'Sec-WebSocket-Key': 'bad' }))).status).toBe(400);
    const a = await RawConnection.ready(port, u.token);
    const b = await RawConnection.ready(port, u.token);
    const over = await refusal(port, req(auth));
    expect(over).toMatchObject({ status: 429, code: 'TOO_MANY_CONNECTIONS' });
    expect(over.headers.get('retry-after')).toBe('5');
    expect((await refusal(port, req(auth))).status).toBe(429);
    // A device that goes frees its slot for the next one.
    a.destroy();
    await until(() => s.app.gateway!.hub.connectionsOf(u.user.id) === 1, 2000, 'cleanup');
    const c = await RawConnection.ready(port, u.token);
    b.destroy();
    c.destroy();
  });

  it('a socket that authenticates by frame is still admitted after the upgrade, and closed with 4008 over the limit', async () => {
    const u = await registerUser(s.api, 'frm');
    const w1 = await RawSocket.open(s.url, { token: u.token });
    await w1.next((f) => f.type === 'ready');
    const w2 = await RawSocket.open(s.url, { token: u.token });
    await w2.next((f) => f.type === 'ready');
    const w3 = await RawSocket.open(s.url);
    w3.send({ type: 'auth', token: u.token });
    expect(await w3.closedWith()).toBe(4008);
    w1.close();
    w2.close();
  });

  it('a node with PARLEY_ROLE=api refuses the upgrade with 421 MISDIRECTED', async () => {
    const api = await startServer({ config: { role: 'api' } });
    try {
      const apiPort = Number(new URL(api.url).port);
      expect(await refusal(apiPort, RawConnection.upgradeRequest(apiPort))).toMatchObject({
        status: 421,
        code: 'MISDIRECTED',
      });
    } finally {
      await api.close();
    }
  });
});
