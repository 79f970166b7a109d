import net from 'node:net';

/** Which way bytes flow: `up` is client → server (the uplink), `down` server → client. */
export type Direction = 'up' | 'down';

/** How one direction of the link is impaired. */
export interface Impairment {
  /** Every chunk arrives this much later (ms), in order. */
  delayMs?: number;
  /** At most this many bytes a second (chunks are paced, not split). */
  bytesPerSecond?: number;
}

/** One direction of one proxied connection: a queue the impairments drain. */
class Pipe {
  private readonly queue: { chunk: Buffer; due: number }[] = [];
  private timer?: NodeJS.Timeout;
  /** Earliest time the throttle lets the next chunk go. */
  private nextAt = 0;

  constructor(
    private readonly to: net.Socket,
    private readonly link: () => { impair: Impairment; held: boolean },
  ) {}

  push(chunk: Buffer) {
    this.queue.push({ chunk, due: Date.now() + (this.link().impair.delayMs ?? 0) });
    this.pump();
  }

  pump() {
    clearTimeout(this.timer);
    this.timer = undefined;
    const { impair, held } = this.link();
    while (this.queue.length && !held && !this.to.destroyed) {
      const head = this.queue[0]!;
      const at = Math.max(head.due, this.nextAt);
      const wait = at - Date.now();
      if (wait > 0) {
        this.timer = setTimeout(() => this.pump(), wait);
        return;
      }
      this.queue.shift();
      this.to.write(head.chunk);
      if (impair.bytesPerSecond) this.nextAt = Date.now() + (head.chunk.length * 1000) / impair.bytesPerSecond;
    }
  }

  stop() {
    clearTimeout(this.timer);
    this.queue.length = 0;
  }
}

/**
 * A loopback TCP proxy the test controls, impairing the link the way real networks do:
 * - `cut()` drops every open connection (the browser's WebSocket included, which Playwright's
 *   offline mode would leave open) and refuses new ones until `restore()`;
 * - `drop()` drops the open connections but accepts new ones;
 * - `impair('up', {delayMs, bytesPerSecond})` slows one direction (a slow uplink);
 * - `blackHole()` stops carrying bytes in both directions WITHOUT closing anything (a half-open
 *   link: neither end hears a thing), new connections included; `restore()` carries what was
 *   held and goes on.
 */
export class CutProxy {
  private readonly server: net.Server;
  private readonly open = new Set<net.Socket>();
  private readonly pipes = new Set<Pipe>();
  private readonly impairments: Record<Direction, Impairment> = { up: {}, down: {} };
  private isCut = false;
  private held = false;
  port = 0;

  constructor(private readonly targetPort: number) {
    this.server = net.createServer((client) => {
      if (this.isCut) {
        client.destroy();
        return;
      }
      const upstream = net.connect(this.targetPort, '127.0.0.1');
      const up = new Pipe(upstream, () => ({ impair: this.impairments.up, held: this.held }));
      const down = new Pipe(client, () => ({ impair: this.impairments.down, held: this.held }));
      this.pipes.add(up).add(down);
      client.on('data', (c) => up.push(c));
      upstream.on('data', (c) => down.push(c));
      for (const s of [client, upstream]) {
        this.open.add(s);
        s.on('close', () => {
          this.open.delete(s);
          client.destroy();
          upstream.destroy();
          up.stop();
          down.stop();
          this.pipes.delete(up);
          this.pipes.delete(down);
        });
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as net.AddressInfo).port;
    return `http://127.0.0.1:${this.port}`;
  }

  cut() {
    this.isCut = true;
    this.drop();
  }

  /** Drops every open connection; new ones are carried as usual. */
  drop() {
    for (const s of this.open) s.destroy();
    this.open.clear();
  }

  impair(direction: Direction, impairment: Impairment) {
    this.impairments[direction] = impairment;
  }

  blackHole() {
    this.held = true;
  }

  /** Undoes `cut()`, `blackHole()` and every impairment. */
  restore() {
    this.isCut = false;
    this.held = false;
    this.impairments.up = {};
    this.impairments.down = {};
    for (const p of this.pipes) p.pump();
  }

  async close() {
    this.cut();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
