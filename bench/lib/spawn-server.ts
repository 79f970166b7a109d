import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { sleep } from './pace.js';

/** A server process the generator started, pinned to its own core when `taskset` exists. */
export interface ServerProc {
  pid: number;
  port: number;
  url: string;
  child: ChildProcess;
  /** stderr tail, for error reports. */
  logs(): string;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  script: string;
  args?: string[];
  env?: Record<string, string>;
  /** Core to pin the server to (the generator pins itself elsewhere). */
  core?: number;
  /** Wait for this: a `ready` stdout line, or a 200 from GET /healthz. */
  readiness: 'stdout' | 'healthz';
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
  port?: number;
}

export const hasTaskset = () => spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' }).status === 0;

/** Pins the calling (generator) process to a core, so the server has the other one to itself. */
export function pinSelf(core: number): boolean {
  return (
    hasTaskset() &&
    spawnSync('taskset', ['-a', '-p', '-c', String(core), String(process.pid)], { stdio: 'ignore' }).status === 0
  );
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export async function spawnServer(o: SpawnOptions): Promise<ServerProc> {
  const port = o.port ?? (await freePort());
  const nodeArgs = [
    ...(o.nodeFlags ?? []),
    '--conditions=@parley/source',
    '--import',
    'tsx',
    o.script,
    ...(o.args ?? []),
  ];
  const useTaskset = o.core !== undefined && hasTaskset();
  // taskset execs node, so the child's pid is the server's pid (what /proc sampling needs).
  const [cmd, argv] = useTaskset
    ? ['taskset', ['-c', String(o.core), process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const child = spawn(cmd, argv as string[], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: { ...process.env, ...o.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  child.stdout!.on('data', (d: Buffer) => {
    out = (out + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = performance.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server ${o.script} exited with ${child.exitCode}: ${err || out}`);
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server ${o.script} not ready after 30 s: ${err || out}`);
    }
    if (o.readiness === 'stdout' ? out.includes('ready') : await healthy(url)) break;
    await sleep(50);
  }
  return {
    pid: child.pid!,
    port,
    url,
    child,
    logs: () => err || out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
}

async function healthy(url: string): Promise<boolean> {
  try {
    const r = await fetch(`${url}/healthz`);
    return r.ok;
  } catch {
    return false;
  }
}

export function ensureDir(dir: string) {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
