import type { Socket } from 'node:net';

/**
 * The fan-out receivers' light read path. A generator core parsing every frame with a full
 * client (ws's receiver, JSON.parse, the protocol client's ordering) saturates at about
 * 100,000–150,000 deliveries/s, below what the servers can send, so the fan-out scenario hands
 * each receiver's TCP socket to this reader once it is connected and synced: it walks the
 * WebSocket frame headers of each chunk and gives the payload's byte range to `onPayload`
 * without copying or decoding it. Server-to-client frames are unmasked and, from these three
 * servers, never fragmented. Pings are answered with a pong (a client frame, masked with a
 * zero key) so heartbeats keep the socket alive.
 */
export function scanFrames(socket: Socket, onPayload: (buf: Buffer, start: number, end: number) => void): void {
  let rest: Buffer | undefined;
  socket.removeAllListeners('data');
  socket.on('data', (chunk: Buffer) => {
    const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
    rest = undefined;
    let off = 0;
    for (;;) {
      if (buf.length - off < 2) break;
      let len = buf[off + 1]! & 0x7f;
      let head = 2;
      if (len === 126) {
        if (buf.length - off < 4) break;
        len = buf.readUInt16BE(off + 2);
        head = 4;
      } else if (len === 127) {
        if (buf.length - off < 10) break;
        len = Number(buf.readBigUInt64BE(off + 2));
        head = 10;
      }
      const start = off + head;
      const end = start + len;
      if (end > buf.length) break;
      const opcode = buf[off]! & 0x0f;
      if (opcode === 0x9) socket.write(clientFrame(0xa, buf.subarray(start, end)));
      else if (opcode < 0x8) onPayload(buf, start, end);
      off = end;
    }
    if (off < buf.length) rest = buf.subarray(off);
  });
  socket.resume();
}

/** A client frame (FIN set) of at most 125 bytes, masked with the all-zero key. */
export function clientFrame(opcode: number, payload: Buffer): Buffer {
  const out = Buffer.alloc(6 + payload.length);
  out[0] = 0x80 | opcode;
  out[1] = 0x80 | payload.length;
  payload.copy(out, 6);
  return out;
}

const MARK = Buffer.from('|xxxx');

/**
 * Finds a scenario payload (`stamp()` text: `<ms>|<pad of x><tag>`) in a frame's bytes, in
 * whatever envelope the server wraps it (JSON, MessagePack, a bare line), and returns its
 * scheduled time if the `tag` follows the pad, else NaN. Needs a pad of at least 4 x.
 */
export function stampIn(buf: Buffer, start: number, end: number, padLength: number, tag: Buffer): number {
  const p = buf.indexOf(MARK, start);
  if (p < 0 || p + 1 + padLength + tag.length > end) return NaN;
  const at = p + 1 + padLength;
  for (let i = 0; i < tag.length; i++) if (buf[at + i] !== tag[i]) return NaN;
  let i = p - 1;
  while (i >= start && ((buf[i]! >= 0x30 && buf[i]! <= 0x39) || buf[i] === 0x2e)) i--;
  return Number(buf.toString('latin1', i + 1, p));
}

/** The TCP socket under a `ws` client (a private field of ws; the benchmark's business only). */
export function rawSocket(ws: unknown): Socket {
  const s = (ws as { _socket?: Socket } | undefined)?._socket;
  if (!s) throw new Error('no socket to read from');
  return s;
}
