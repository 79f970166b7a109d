import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Builds dist/ (and web/dist/) when missing or stale, as `npm start` does, under a lock so
 * test files running side by side never rebuild the tree another one is running from.
 */
export async function ensureBuilt(): Promise<void> {
  const lock = path.join(os.tmpdir(), `parley-build-lock-${Buffer.from(ROOT).toString('hex').slice(-24)}`);
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // A lock older than 5 minutes belongs to a run that died.
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 300_000) fs.rmSync(lock, { recursive: true, force: true });
      } catch {
        /* gone meanwhile */
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    for (const script of ['scripts/ensure-server-build.mjs', 'scripts/ensure-web-build.mjs']) {
      const r = spawnSync(process.execPath, [script], { cwd: ROOT, stdio: 'pipe', encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr}`);
    }
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

export interface Proc {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | null>;
  /** The first JSON log line whose `msg` is `msg` (waits for it). */
  logLine(msg: string, ms?: number): Promise<Record<string, unknown>>;
}

/** A child process with every line it writes kept; SIGKILLed by `kill()` if still running. */
export function run(cmd: string, args: string[], env: Record<string, string>, cwd = ROOT): Proc {
  const base = { ...process.env };
  // The suite's own environment must not leak a port or a database into the child.
  for (const k of Object.keys(base)) if (k.startsWith('PARLEY_') || k === 'PORT') delete base[k];
  const child = spawn(cmd, args, { cwd, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout!.on('data', (c: Buffer) => stdout.push(...c.toString('utf8').split('\n').filter(Boolean)));
  child.stderr!.on('data', (c: Buffer) => stderr.push(...c.toString('utf8').split('\n').filter(Boolean)));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    child,
    stdout,
    stderr,
    exited,
    async logLine(msg, ms = 60_000) {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        for (const l of stdout) {
          try {
            const j = JSON.parse(l);
            if (j.msg === msg) return j;
          } catch {
            /* not a log line */
          }
        }
        if (child.exitCode !== null) throw new Error(`exited ${child.exitCode} before "${msg}": ${stderr.join('\n')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no "${msg}" within ${ms} ms; stdout: ${stdout.join('\n')}; stderr: ${stderr.join('\n')}`);
    },
  };
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs the CLI from source (tsx) to completion. */
export function cli(args: string[], env: Record<string, string> = {}) {
  const base = { ...process.env };
  for (const k of Object.keys(base)) if (k.startsWith('PARLEY_') || k === 'PORT') delete base[k];
  const r = spawnSync(process.execPath, ['--conditions=@parley/source', '--import', 'tsx', 'src/main.ts', ...args], {
    cwd: ROOT,
    env: { ...base, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const tmpDir = (tag: string) => fs.mkdtempSync(path.join(os.tmpdir(), `parley-${tag}-`));
