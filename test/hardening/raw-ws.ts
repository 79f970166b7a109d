import { randomBytes } from 'node:crypto';
import net from 'node:net';

/**
 * A WebSocket client written by hand over a plain TCP socket, for sending what no library
 * will: unmasked frames, reserved bits and opcodes, lying length headers, broken UTF-8.
 */
export interface RawFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  payload: Buffer;
}

export interface FrameOptions {
  fin?: boolean;
  /** RSV1..3 as bits 0b100, 0b010, 0b001. */
  rsv?: number;
  mask?: boolean;
  /** Announce this length instead of the payload's (the payload is then sent as given). */
  announce?: number;
}

export function frame(opcode: number, payload: Buffer | string = Buffer.alloc(0), o: FrameOptions = {}): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const len = o.announce ?? data.length;
  const mask = o.mask ?? true;
  const head: number[] = [((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | opcode];
  const m = mask ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (len < 126) head.push(m | len);
  else if (len < 65536) {
    head.push(m | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(len);
  } else {
    head.push(m | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(BigInt(len));
  }
  if (!mask) return Buffer.concat([Buffer.from(head), ext, data]);
  const key = randomBytes(4);
  const masked = Buffer.from(data.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([Buffer.from(head), ext, key, masked]);
}

export class RawConnection {
  private buf = Buffer.alloc(0);
  readonly frames: RawFrame[] = [];
  ended = false;
  status?: number;
  private headDone = false;
  head = '';
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => this.onData(d));
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => {
      this.ended = true;
      this.wake();
    });
  }

  /** Opens a TCP connection and writes `request` (the HTTP upgrade, possibly broken) as is. */
  static async open(port: number, request: string | Buffer): Promise<RawConnection> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const c = new RawConnection(socket);
    if (request.length) socket.write(request);
    return c;
  }

  static upgradeRequest(port: number, headers: Record<string, string | undefined> = {}, extra = ''): string {
    const h: Record<string, string | undefined> = {
      Host: `127.0.0.1:${port}`,
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Protocol': 'parley.v1.json',
      ...headers,
    };
    const lines = Object.entries(h)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}: ${v}`);
    return `GET /ws HTTP/1.1\r\n${lines.join('\r\n')}\r\n${extra}\r\n`;
  }

  /** Upgrades (with a Bearer token) and waits for the `ready` frame. */
  static async ready(port: number, token: string): Promise<RawConnection> {
    const c = await RawConnection.open(port, RawConnection.upgradeRequest(port, { Authorization: `Bearer ${token}` }));
    await c.until(() => c.frames.some((f) => f.opcode === 1 && f.payload.toString().includes('"ready"')), 'ready');
    return c;
  }

  write(b: Buffer) {
    if (!this.socket.destroyed) this.socket.write(b);
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }

  private onData(d: Buffer) {
    this.buf = Buffer.concat([this.buf, d]);
    if (!this.headDone) {
      const i = this.buf.indexOf('\r\n\r\n');
      if (i < 0) return this.wake();
      this.head = this.buf.subarray(0, i).toString('latin1');
      this.status = Number(/^HTTP\/1\.1 (\d+)/.exec(this.head)?.[1] ?? 0);
      this.buf = this.buf.subarray(i + 4);
      this.headDone = true;
      if (this.status !== 101) {
        this.head += `\r\n\r\n${this.buf.toString()}`;
        return this.wake();
      }
    }
    for (;;) {
      if (this.buf.length < 2) break;
      const b0 = this.buf[0]!;
      const b1 = this.buf[1]!;
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) break;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) break;
        len = Number(this.buf.readBigUInt64BE(2));
        off = 10;
      }
      if (this.buf.length < off + len) break;
      this.frames.push({
        fin: (b0 & 0x80) !== 0,
        rsv: (b0 >> 4) & 7,
        opcode: b0 & 0x0f,
        payload: this.buf.subarray(off, off + len),
      });
      this.buf = this.buf.subarray(off + len);
    }
    this.wake();
  }

  async until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      const left = end - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** The close code the server sent (or 1006 when the TCP connection ended without one). */
  async closeCode(ms = 5000): Promise<number> {
    await this.until(() => this.ended || this.frames.some((f) => f.opcode === 8), 'close', ms);
    const close = this.frames.find((f) => f.opcode === 8);
    return close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : 1006;
  }

  /** Waits for the HTTP status line of a refused (or accepted) upgrade. */
  async httpStatus(ms = 5000): Promise<number | 'closed'> {
    await this.until(() => this.status !== undefined || this.ended, 'HTTP status', ms);
    return this.status ?? 'closed';
  }

  destroy() {
    this.socket.destroy();
  }
}
