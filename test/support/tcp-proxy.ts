import net from 'node:net';

type Mode = 'forward' | 'blackhole';

/**
 * A loopback TCP proxy the test controls, put between a node and Redis or a database to make
 * faults without touching the real service:
 * - `cut()` resets every open connection (the peer sees the connection drop);
 * - `refuse()` stops listening, so new connections get ECONNREFUSED; `restore()` listens again
 *   on the same port and forwards;
 * - `blackhole()` keeps connections open but forwards nothing (a hung network); `restore()` then
 *   resets those connections, as their streams lost bytes.
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  private mode: Mode = 'forward';
  /** Connections accepted since the start (to check that a client reconnected). */
  accepted = 0;

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  get url(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Open connections right now. */
  get connections(): number {
    return this.pairs.size;
  }

  /** Starts a proxy on a free loopback port (or `port`) forwarding to `target`. */
  static async start(target: { host?: string; port: number }, port = 0): Promise<TcpProxy> {
    const p = new TcpProxy(port, { host: target.host ?? '127.0.0.1', port: target.port });
    await p.listen(port);
    return p;
  }

  private listen(port: number): Promise<void> {
    const server = net.createServer((client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        (this as { port: number }).port = (server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  private accept(client: net.Socket) {
    this.accepted++;
    const upstream = net.connect(this.target);
    const pair = { client, upstream };
    this.pairs.add(pair);
    const end = () => {
      if (!this.pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.on('data', (d) => {
      if (this.mode === 'forward') upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (this.mode === 'forward') client.write(d);
    });
  }

  /** Drops every open connection (RST), as a broken network or a restarted peer would. */
  cut(): void {
    for (const { client, upstream } of [...this.pairs]) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  /** Stops accepting: new connections are refused. Open ones stay (call `cut()` too to drop them). */
  async refuse(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    // close() stops listening at once; its callback would wait for open connections to end.
    s?.close();
    await new Promise((r) => setImmediate(r));
  }

  /** Keeps connections open but passes nothing either way. */
  blackhole(): void {
    this.mode = 'blackhole';
  }

  /** Back to normal: forwarding, and listening on the same port again if it was refusing. */
  async restore(): Promise<void> {
    // Bytes were dropped while blackholed, so those streams are broken: end them.
    if (this.mode === 'blackhole') this.cut();
    this.mode = 'forward';
    if (!this.server) await this.listen(this.port);
  }

  async close(): Promise<void> {
    this.cut();
    await this.refuse();
  }
}
