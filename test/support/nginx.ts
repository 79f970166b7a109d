import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureNginx, nginxConfig } from '../../scripts/cluster-nginx.js';
import { freePort } from './redis-server.js';

/** nginx from Debian as the load balancer in front of test nodes, with the cluster script's config. */
export class Nginx {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
  ) {}

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts nginx on a free loopback port in front of `upstreams` (`host:port`). */
  static async start(upstreams: string[]): Promise<Nginx> {
    const bin = ensureNginx(() => {});
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-nginx-'));
    const port = await freePort();
    const conf = path.join(dir, 'nginx.conf');
    fs.writeFileSync(conf, nginxConfig({ dir, listen: `127.0.0.1:${port}`, upstreams }));
    const child = spawn(bin, ['-p', dir, '-c', conf, '-e', 'stderr'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => {
      stderr += String(d);
    });
    const lb = new Nginx(child, dir, port);
    const end = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${stderr.slice(0, 500)}`);
      try {
        await fetch(`${lb.url}/healthz`);
        return lb;
      } catch {
        if (Date.now() > end) {
          await lb.stop();
          throw new Error(`nginx did not listen on ${port}: ${stderr.slice(0, 500)}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const gone = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await gone;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
