import WebSocket from 'ws';
import {
  ParleyClient,
  type ClientOptions,
  type WebSocketCtor,
  type CodecName,
  codecFor,
  SUBPROTOCOL_JSON,
  SUBPROTOCOL_MSGPACK,
  type ServerFrame,
} from '@parley/client';

export const wsUrl = (httpUrl: string) => `${httpUrl.replace(/^http/, 'ws')}/ws`;

/** A protocol client over the `ws` package, connected and through its first sync. */
export async function connectClient(
  httpUrl: string,
  token: string,
  codec: CodecName = 'json',
  extra: Partial<ClientOptions> = {},
  before?: (c: ParleyClient) => void,
): Promise<ParleyClient> {
  const c = new ParleyClient({
    urls: [wsUrl(httpUrl)],
    token,
    WebSocket: WebSocket as unknown as WebSocketCtor,
    codec,
    backoffInitialMs: 50,
    backoffMaxMs: 500,
    gapDelayMs: 100,
    ...extra,
  });
  before?.(c);
  await c.connect();
  await c.synced();
  return c;
}

/** A raw socket for hostile-input tests: every received frame is decoded and kept. */
export class RawSocket {
  readonly frames: ServerFrame[] = [];
  closed?: { code: number; reason: string };
  private waiters: (() => void)[] = [];
  readonly codec;

  constructor(
    readonly ws: WebSocket,
    codec: CodecName,
  ) {
    this.codec = codecFor(codec === 'msgpack' ? SUBPROTOCOL_MSGPACK : SUBPROTOCOL_JSON);
    ws.on('message', (data, isBinary) => {
      try {
        this.frames.push(
          this.codec.decode(isBinary ? new Uint8Array(data as Buffer) : (data as Buffer).toString()) as ServerFrame,
        );
      } catch {
        /* ignore */
      }
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    ws.on('error', () => {});
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }

  static open(
    httpUrl: string,
    opts: { codec?: CodecName; token?: string; headers?: Record<string, string>; autoPong?: boolean } = {},
  ): Promise<RawSocket> {
    const codec = opts.codec ?? 'json';
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const ws = new WebSocket(wsUrl(httpUrl), [codec === 'msgpack' ? SUBPROTOCOL_MSGPACK : SUBPROTOCOL_JSON], {
      headers,
      autoPong: opts.autoPong ?? true,
    });
    const raw = new RawSocket(ws, codec);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(raw));
      ws.once('unexpected-response', (_req, res) =>
        reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })),
      );
      ws.once('error', reject);
    });
  }

  send(frame: unknown) {
    this.ws.send(this.codec.encode(frame));
  }

  /** Waits for a frame matching `pred` (already received or future). */
  async next<T extends ServerFrame = ServerFrame>(pred: (f: ServerFrame) => boolean, timeoutMs = 5000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex(pred);
      if (i >= 0) return this.frames.splice(i, 1)[0] as T;
      if (this.closed) throw new Error(`closed ${this.closed.code} while waiting`);
      const left = until - Date.now();
      if (left <= 0) throw new Error('timeout waiting for frame');
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  async closedWith(timeoutMs = 5000): Promise<number> {
    const until = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > until) throw new Error('socket not closed');
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.closed.code;
  }

  close() {
    this.ws.close();
  }
}

/** Waits until `cond` holds (polling), or throws after `ms`. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
