import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { dmId } from '../../src/domain/conversation-id.js';
import type { ParleyClient } from '@parley/client';
import { CloseCodes, type ErrorFrame } from '@parley/client';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { befriend } from '../support/social-fixtures.js';
import { RawSocket, connectClient, until, wsUrl } from '../support/ws-clients.js';

const PER_ADDRESS = 10;
const TOTAL = 15;

/** Opens an unauthenticated socket from `localAddress`: the socket, or the HTTP status and body of the refusal. */
function openUnauth(url: string, localAddress: string) {
  return new Promise<{ ws?: WebSocket; status?: number; body?: string }>((resolve) => {
    const ws = new WebSocket(wsUrl(url), ['parley.v1.json'], { localAddress });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_q, res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    ws.once('error', () => resolve({}));
  });
}

describe.each(testDialects())('unauthenticated and flooding sockets on %s', (dialect) => {
  let s: TestServer;
  const open: ParleyClient[] = [];
  beforeAll(async () => {
    s = await startServer({
      dialect,
      config: {
        unauthSocketsPerAddress: PER_ADDRESS,
        unauthSockets: TOTAL,
        authTimeout: 60_000,
        frameRate: 100,
        frameBurst: 200,
        messageRate: 1000,
        messageBurst: 1000,
      },
    });
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await s?.close();
  });

  it('1,000 unauthenticated sockets from one address: only the cap is held, the rest get 429; authenticating frees a slot', async () => {
    const tries = await Promise.all(Array.from({ length: 1000 }, () => openUnauth(s.url, '127.0.0.1')));
    const held = tries.filter((t) => t.ws);
    expect(held).toHaveLength(PER_ADDRESS);
    const refused = tries.filter((t) => t.status === 429);
    expect(refused).toHaveLength(1000 - PER_ADDRESS);
    expect(JSON.parse(refused[0]!.body!).error.code).toBe('TOO_MANY_CONNECTIONS');
    // Another address still gets in, up to the node's total.
    const other = await Promise.all(Array.from({ length: 10 }, () => openUnauth(s.url, '127.0.0.2')));
    expect(other.filter((t) => t.ws)).toHaveLength(TOTAL - PER_ADDRESS);
    // An authenticated socket no longer counts: its slot is free again.
    const u = await registerUser(s.api, 'unauth');
    const first = held[0]!.ws!;
    const ready = new Promise((r) => first.on('message', (d) => JSON.parse(String(d)).type === 'ready' && r(null)));
    first.send(JSON.stringify({ type: 'auth', token: u.token }));
    await ready;
    await until(async () => (await openUnauth(s.url, '127.0.0.3')).ws !== undefined, 5000, 'a freed slot');
    // A closed one neither.
    for (const t of [...held, ...other]) t.ws?.close();
  });

  it('a ping flood gets RATE_LIMITED, then close 1008, while another client’s messages keep flowing', async () => {
    const f = await registerUser(s.api, 'flood');
    const b = await registerUser(s.api, 'calm');
    const c = await registerUser(s.api, 'peer');
    await befriend(s.app, b.user.id, c.user.id);
    const cid = dmId(b.user.id, c.user.id);
    const cb = await connectClient(s.url, b.token);
    const cc = await connectClient(s.url, c.token);
    open.push(cb, cc);
    const got: string[] = [];
    cc.on('message', (e) => got.push(e.text ?? ''));

    const flood = await RawSocket.open(s.url, { token: f.token });
    await flood.next((x) => x.type === 'ready');
    const ping = Buffer.from('{"type":"ping"}');
    let sent = 0;
    const pump = async () => {
      while (!flood.closed && sent < 200_000) {
        for (let i = 0; i < 500; i++) flood.ws.send(ping);
        sent += 500;
        await new Promise((r) => setImmediate(r));
      }
    };
    const pumping = pump();
    let worst = 0;
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      await cb.send({ to: cid, kind: 'text', text: `calm ${i}` });
      await until(() => got.includes(`calm ${i}`), 10_000, `delivery ${i}`);
      worst = Math.max(worst, performance.now() - t0);
    }
    await pumping;
    expect(await flood.closedWith(10_000)).toBe(CloseCodes.POLICY_VIOLATION);
    const limited = flood.frames.filter((x): x is ErrorFrame => x.type === 'error' && x.code === 'RATE_LIMITED');
    expect(limited.length).toBeGreaterThanOrEqual(1);
    // The flood is cut after its burst: far fewer pongs than pings.
    expect(flood.frames.filter((x) => x.type === 'pong').length).toBeLessThan(sent / 2);
    // Generous for a loaded machine; the point is a bound, not a benchmark.
    expect(worst).toBeLessThan(3000);
  });
});
