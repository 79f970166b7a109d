import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { RawConnection } from './raw-ws.js';

const HEADERS_MS = 400;
const REQUEST_MS = 2000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The coded body of a refusal written to a raw socket. */
const codeOf = (c: RawConnection) => JSON.parse(c.head.slice(c.head.indexOf('\r\n\r\n') + 4)).error.code as string;

/** Waits for the server to end the connection; the time it took, from `since`. */
async function closedAfter(c: RawConnection, since: number, ms: number): Promise<number> {
  await c.until(() => c.ended, 'the server to close the connection', ms);
  return Date.now() - since;
}

describe('slow HTTP clients', () => {
  let s: TestServer;
  let port: number;
  let token: string;
  beforeAll(async () => {
    s = await startServer({ config: { httpHeadersTimeout: HEADERS_MS, httpRequestTimeout: REQUEST_MS } });
    port = Number(new URL(s.url).port);
    token = (await registerUser(s.api, 'slow')).token;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('a connection that never finishes its headers gets 408 REQUEST_TIMEOUT and is closed within the headers timeout', async () => {
    for (const partial of ['GET /heal', 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n']) {
      const t0 = Date.now();
      const c = await RawConnection.open(port, partial);
      const took = await closedAfter(c, t0, 5 * HEADERS_MS);
      expect(took).toBeGreaterThanOrEqual(HEADERS_MS - 50);
      expect(took).toBeLessThan(HEADERS_MS + 1000);
      expect(c.status).toBe(408);
      expect(codeOf(c)).toBe('REQUEST_TIMEOUT');
    }
    // Headers trickled a byte at a time do not reset the clock.
    const t0 = Date.now();
    const c = await RawConnection.open(port, 'GET /');
    const drip = setInterval(() => c.write(Buffer.from('a')), 50);
    try {
      expect(await closedAfter(c, t0, 5 * HEADERS_MS)).toBeLessThan(HEADERS_MS + 1000);
    } finally {
      clearInterval(drip);
    }
    expect(c.status).toBe(408);
    expect((await s.api.get('/healthz')).status).toBe(200);
  });

  it('an upload whose body takes longer than the headers timeout is stored: only the request timeout bounds the body', async () => {
    const b = 'sl0w';
    const text = 'slow but steady '.repeat(64);
    const body = `--${b}\r\nContent-Disposition: form-data; name="file"; filename="slow.txt"\r\nContent-Type: text/plain\r\n\r\n${text}\r\n--${b}--\r\n`;
    const c = await RawConnection.open(
      port,
      `POST /api/v1/media HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
        `Content-Type: multipart/form-data; boundary=${b}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
    );
    // Four pieces, 300 ms apart: the body arrives over 3 headers timeouts, inside the request timeout.
    const step = Math.ceil(body.length / 4);
    for (let i = 0; i < body.length; i += step) {
      await sleep(HEADERS_MS * 0.75);
      c.write(Buffer.from(body.slice(i, i + step)));
    }
    await c.until(() => c.status !== undefined && c.head.includes('"sha256"'), 'the upload reply', 5000);
    expect(c.status, c.head).toBe(201);
    c.destroy();
  });

  it('a body that never completes gets 408 REQUEST_TIMEOUT once the request timeout has passed', async () => {
    const t0 = Date.now();
    const c = await RawConnection.open(
      port,
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"log',
    );
    const took = await closedAfter(c, t0, REQUEST_MS + 5000);
    expect(took).toBeGreaterThanOrEqual(REQUEST_MS - 50);
    expect(took).toBeLessThan(REQUEST_MS + 1500);
    expect(c.status).toBe(408);
    expect(codeOf(c)).toBe('REQUEST_TIMEOUT');
  });

  it('a WebSocket outlives both timeouts: they stop at the upgrade', async () => {
    const c = await RawConnection.ready(port, token);
    await sleep(REQUEST_MS + 1200);
    expect(c.ended).toBe(false);
    c.write(Buffer.from([0x89, 0x80, 1, 2, 3, 4])); // a masked ping with no payload
    await c.until(() => c.frames.some((f) => f.opcode === 0xa), 'pong');
    c.destroy();
  });
});
