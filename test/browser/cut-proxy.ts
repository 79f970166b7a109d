import net from 'node:net';

/**
 * A loopback TCP proxy the test controls: `cut()` drops every open connection (the browser's
 * WebSocket included, which Playwright's offline mode would leave open) and refuses new ones
 * until `restore()`.
 */
export class CutProxy {
  private readonly server: net.Server;
  private readonly open = new Set<net.Socket>();
  private isCut = false;
  port = 0;

  constructor(private readonly targetPort: number) {
    this.server = net.createServer((client) => {
      if (this.isCut) {
        client.destroy();
        return;
      }
      const upstream = net.connect(this.targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.open.add(s);
        s.on('close', () => this.open.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as net.AddressInfo).port;
    return `http://127.0.0.1:${this.port}`;
  }

  cut() {
    this.isCut = true;
    for (const s of this.open) s.destroy();
    this.open.clear();
  }

  restore() {
    this.isCut = false;
  }

  async close() {
    this.cut();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
