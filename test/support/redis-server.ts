import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A free loopback TCP port (asks the kernel, then releases it for the caller). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const t = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, 500);
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => {
      clearTimeout(t);
      s.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    s.once('error', () => {
      clearTimeout(t);
      resolve(false);
    });
  });
}

/**
 * A private `redis-server` for fault tests: loopback only, no persistence (`--save ""
 * --appendonly no`), in its own temp dir. It can be killed (SIGKILL, like a crash) and started
 * again on the same port, so clients see the same address go away and come back empty.
 * Fault tests use this, never the machine's shared Redis.
 */
export class RedisServer {
  private child: ChildProcess | undefined;
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-redis-'));

  private constructor(
    readonly port: number,
    private readonly bin: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts a server on a free port (or the given one); resolves once it answers PING. */
  static async start(opts: { port?: number; bin?: string } = {}): Promise<RedisServer> {
    const server = new RedisServer(
      opts.port ?? (await freePort()),
      opts.bin ?? process.env.PARLEY_REDIS_SERVER ?? 'redis-server',
    );
    await server.restart();
    return server;
  }

  /** Starts (again) on the same port. */
  async restart(timeoutMs = 5000): Promise<void> {
    if (this.running) throw new Error('redis-server is already running');
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      this.dir,
      '--logfile',
      '',
      '--loglevel',
      'warning',
      '--daemonize',
      'no',
    ];
    const child = spawn(this.bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => {
      stderr += String(d);
    });
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (e) => reject(new Error(`cannot start ${this.bin}: ${e.message}`)));
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${stderr.slice(0, 500)}`)));
    });
    failed.catch(() => {});
    this.child = child;
    const end = Date.now() + timeoutMs;
    for (;;) {
      if (await Promise.race([answersPing(this.port), failed])) return;
      if (Date.now() > end) {
        this.kill();
        throw new Error(`redis-server on port ${this.port} did not answer within ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Ends the server abruptly (SIGKILL) and waits until it is gone. */
  async crash(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }

  private kill() {
    if (this.running) this.child!.kill('SIGKILL');
  }

  /** Stops the server and removes its temp dir. */
  async stop(): Promise<void> {
    await this.crash();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
