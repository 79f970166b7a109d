import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { RawSocket } from '../support/ws-clients.js';
import { RawConnection, frame } from './raw-ws.js';

const TEXT = 0x1;
const BIN = 0x2;
const CONT = 0x0;
const PING = 0x9;
const FRAME_LIMIT = 64 * 1024;

/**
 * Protocol abuse over a hand-written WebSocket client (node:net): every case ends with the
 * right close code or an HTTP 4xx, and after each one a healthy client is still served and
 * nothing was logged as a server error.
 */
describe.each(testDialects())('raw WebSocket abuse on %s', (dialect) => {
  let s: TestServer;
  let port: number;
  let token: string;
  beforeAll(async () => {
    s = await startServer({
      dialect,
      config: { frameLimit: FRAME_LIMIT, authTimeout: 200, pingInterval: 100, idleTimeout: 600 },
    });
    port = Number(new URL(s.url).port);
    token = (await registerUser(s.api, 'raw')).token;
  });
  afterAll(async () => {
    await s?.close();
  });

  async function healthy() {
    const ws = await RawSocket.open(s.url, { token });
    await ws.next((f) => f.type === 'ready');
    ws.send({ type: 'ping', id: 'healthy' });
    await ws.next((f) => f.type === 'pong');
    ws.close();
    await ws.closedWith();
    const errors = s.logs.lines.filter((l) => JSON.parse(l).level >= 50);
    expect(errors).toEqual([]);
  }

  const closes: [string, () => Buffer, number][] = [
    ['an unmasked client frame', () => frame(TEXT, '{"type":"ping"}', { mask: false }), 1002],
    ['a ping with a 126-byte payload (control frames are at most 125)', () => frame(PING, Buffer.alloc(126)), 1002],
    ['a fragmented ping (control frames cannot be fragmented)', () => frame(PING, 'x', { fin: false }), 1002],
    ['RSV1 set without a negotiated extension', () => frame(TEXT, '{"type":"ping"}', { rsv: 0b100 }), 1002],
    ['RSV2 and RSV3 set', () => frame(TEXT, '{"type":"ping"}', { rsv: 0b011 }), 1002],
    ['reserved data opcode 0x3', () => frame(0x3, 'x'), 1002],
    ['reserved control opcode 0xB', () => frame(0xb, 'x'), 1002],
    ['invalid UTF-8 in a text frame', () => frame(TEXT, Buffer.from([0x7b, 0xc3, 0x28, 0xff, 0xfe, 0x7d])), 1007],
    [
      'a UTF-8 sequence cut across fragments and never finished',
      () =>
        Buffer.concat([frame(TEXT, Buffer.from([0x22, 0xe2, 0x82]), { fin: false }), frame(CONT, Buffer.from([0x22]))]),
      1007,
    ],
    ['an orphan continuation frame', () => frame(CONT, 'x'), 1002],
    [
      'a new data frame in the middle of a fragmented message',
      () => Buffer.concat([frame(TEXT, '{"ty', { fin: false }), frame(BIN, 'x')]),
      1002,
    ],
    ['a header announcing 1 GiB before any payload', () => frame(BIN, Buffer.alloc(0), { announce: 1 << 30 }), 1009],
    [
      'a header announcing 2^63-1 bytes',
      () => Buffer.from([0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]),
      1009,
    ],
    [
      'fragments that together pass the frame limit',
      () =>
        Buffer.concat(
          Array.from({ length: 5 }, (_, i) =>
            frame(i === 0 ? TEXT : CONT, Buffer.alloc(FRAME_LIMIT / 4, 0x20), { fin: false }),
          ),
        ),
      1009,
    ],
  ];

  it.each(closes)('%s → close %d, others still served', async (_what, bytes, code) => {
    const c = await RawConnection.ready(port, token);
    c.write(bytes());
    expect(await c.closeCode()).toBe(code);
    c.destroy();
    await healthy();
  });

  it('a frame over the limit is refused from its header: the server closes without waiting for (or buffering) the payload', async () => {
    const c = await RawConnection.ready(port, token);
    // Announce 10 MiB and send only the first 1 KiB: the close must come anyway.
    c.write(Buffer.concat([frame(BIN, Buffer.alloc(1024), { announce: 10 << 20 }).subarray(0, 14 + 1024)]));
    expect(await c.closeCode(3000)).toBe(1009);
    c.destroy();
    await healthy();
  });

  it('a socket that upgrades and never sends anything is closed by the auth timeout (4002)', async () => {
    const c = await RawConnection.open(port, RawConnection.upgradeRequest(port));
    expect(await c.httpStatus()).toBe(101);
    expect(await c.closeCode(3000)).toBe(4002);
    c.destroy();
    await healthy();
  });

  it('an authenticated socket that goes silent (never answers pings) is closed as idle (4010)', async () => {
    const c = await RawConnection.ready(port, token);
    // RawConnection never answers pings: the idle timeout must end it.
    expect(await c.closeCode(5000)).toBe(4010);
    expect(c.frames.some((f) => f.opcode === PING)).toBe(true);
    c.destroy();
    await healthy();
  });

  it('an upgrade with thousands of headers is refused (431) or closed, without a crash', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => `X-Filler-${i}: ${'v'.repeat(20)}`).join('\r\n');
    const c = await RawConnection.open(
      port,
      RawConnection.upgradeRequest(port, { Authorization: `Bearer ${token}` }, `${many}\r\n`),
    );
    const status = await c.httpStatus();
    expect([431, 'closed']).toContain(status);
    if (status === 431) expect(c.head).toContain('HEADERS_TOO_LARGE');
    c.destroy();
    await healthy();
  });

  it.each([
    ['no Sec-WebSocket-Key', { 'Sec-WebSocket-Key': undefined }],
    ['a malformed Sec-WebSocket-Key', { 'Sec-WebSocket-Key': 'not-base64-of-16-bytes' }],
    ['an unsupported Sec-WebSocket-Version', { 'Sec-WebSocket-Version': '99' }],
    ['no Upgrade header', { Upgrade: undefined, Connection: undefined }],
    ['a POST instead of a GET', {}],
  ] as const)('an upgrade with %s is refused with a 4xx', async (what, headers) => {
    let req = RawConnection.upgradeRequest(port, { Authorization: `Bearer ${token}`, ...headers });
    if (what.startsWith('a POST')) req = req.replace(/^GET/, 'POST');
    const c = await RawConnection.open(port, req);
    const status = await c.httpStatus();
    expect(
      typeof status === 'number' && status >= 400 && status < 500,
      `${what}: ${status} ${c.head.slice(0, 200)}`,
    ).toBe(true);
    c.destroy();
    await healthy();
  });

  it('a foreign Origin is refused at the upgrade with a coded 403, before any frame', async () => {
    const c = await RawConnection.open(
      port,
      RawConnection.upgradeRequest(port, { Authorization: `Bearer ${token}`, Origin: 'https://evil.example' }),
    );
    expect(await c.httpStatus()).toBe(403);
    expect(c.head).toContain('"FORBIDDEN"');
    c.destroy();
    await healthy();
  });
});
