import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RefusalObserver, errorBody, retryAfterSeconds, toWireError } from './errors.js';

/**
 * Answers a failure with a whole HTTP/1.1 response written straight to a socket, then ends it:
 * for refusals made outside Fastify's reply (client errors before routing, WebSocket upgrades),
 * so they carry the same status, JSON body and `Retry-After` as every other error.
 */
export function endWithError(
  socket: Duplex,
  err: unknown,
  headers: Record<string, string> = {},
  observe?: RefusalObserver,
): void {
  const w = toWireError(err, observe);
  const body = JSON.stringify(errorBody(w));
  const retryAfter = retryAfterSeconds(w);
  const head = {
    Connection: 'close',
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(body)),
    ...(retryAfter ? { 'Retry-After': retryAfter } : {}),
    ...headers,
  };
  const lines = Object.entries(head)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${w.status} ${STATUS_CODES[w.status] ?? 'Error'}\r\n${lines}\r\n${body}`);
  // A client that never reads would keep the socket half-open: give it a second, then drop it.
  setTimeout(() => socket.destroy(), 1000).unref();
}
