/**
 * A local Parley cluster to try: N nodes on consecutive ports behind nginx.
 *
 *   npm run cluster -- --nodes 3 --db postgres://postgres@127.0.0.1:5432/parley --redis redis://127.0.0.1:6379
 *
 * Options: --nodes N (default 3), --db URL (PostgreSQL or MySQL, required), --redis URL
 * (required), --port P (the balancer, default 8080), --base-port P (first node, default
 * port+1), --host H (the balancer's address, default 127.0.0.1), --prefix (Redis key prefix,
 * default parley:). Ctrl-C stops everything. See docs/operations.md.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNginx, nginxConfig } from './cluster-nginx.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (s: string) => process.stdout.write(`[cluster] ${s}\n`);

function parseArgs(argv: string[]) {
  const o: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) o[a.slice(2, eq)] = a.slice(eq + 1);
    else o[a.slice(2)] = argv[++i] ?? '';
  }
  const known = ['nodes', 'db', 'redis', 'port', 'base-port', 'host', 'prefix'];
  for (const k of Object.keys(o))
    if (!known.includes(k)) throw new Error(`unknown option --${k} (known: ${known.map((x) => `--${x}`).join(' ')})`);
  const nodes = Number(o.nodes ?? 3);
  const port = Number(o.port ?? 8080);
  const basePort = Number(o['base-port'] ?? port + 1);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 32) throw new Error('--nodes: expected 1 to 32');
  if (!o.db || !/^(postgres(ql)?|mysql):\/\//.test(o.db))
    throw new Error('--db: expected postgres://… or mysql://… (every node must share one database)');
  if (!o.redis || !/^rediss?:\/\//.test(o.redis)) throw new Error('--redis: expected redis://host:port');
  return {
    nodes,
    port,
    basePort,
    db: o.db,
    redis: o.redis,
    host: o.host ?? '127.0.0.1',
    prefix: o.prefix ?? 'parley:',
  };
}

/** Prefixes every line a child writes, so the nodes' logs can be told apart. */
function pipe(child: ChildProcess, tag: string) {
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.on('data', (d: Buffer) => {
      const lines = (rest + d.toString('utf8')).split('\n');
      rest = lines.pop()!;
      for (const l of lines) process.stdout.write(`[${tag}] ${l}\n`);
    });
  }
}

async function waitHealthy(url: string, child: ChildProcess, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url}/healthz did not answer within ${timeoutMs} ms`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const nginx = ensureNginx(log);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cluster-'));
  const children: { name: string; child: ChildProcess }[] = [];
  let stopping = false;

  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping nginx and the nodes');
    for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const deadline = Date.now() + 15_000;
    for (const { name, child } of children) {
      while (child.exitCode === null && child.signalCode === null && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      if (child.exitCode === null && child.signalCode === null) {
        log(`${name} did not stop in time; killing it`);
        child.kill('SIGKILL');
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  const env = {
    ...process.env,
    PARLEY_DB: opts.db,
    PARLEY_REDIS: opts.redis,
    PARLEY_REDIS_PREFIX: opts.prefix,
    // Every node must sign and check media URLs with the same key.
    PARLEY_SECRET: process.env.PARLEY_SECRET ?? randomBytes(32).toString('base64url'),
    // Client addresses and the scheme come from nginx's X-Forwarded-* headers.
    PARLEY_TRUST_PROXY: 'true',
  };

  log(`migrating ${opts.db.split('://')[0]} once before the nodes start`);
  const migrate = spawnSync(
    process.execPath,
    ['--conditions=@parley/source', '--import', 'tsx', 'src/main.ts', 'migrate'],
    {
      cwd: root,
      env,
      stdio: 'inherit',
    },
  );
  if (migrate.status !== 0) throw new Error('migration failed');

  const upstreams: string[] = [];
  for (let i = 0; i < opts.nodes; i++) {
    const port = opts.basePort + i;
    const name = `node-${i + 1}`;
    const child = spawn(process.execPath, ['--conditions=@parley/source', '--import', 'tsx', 'src/main.ts', 'serve'], {
      cwd: root,
      env: {
        ...env,
        PARLEY_HOST: '127.0.0.1',
        PARLEY_PORT: String(port),
        PARLEY_NODE_ID: name,
        PARLEY_DATA_DIR: path.join(dir, name),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    pipe(child, name);
    child.on('exit', (code, signal) => {
      if (!stopping) log(`${name} exited (${signal ?? code}); nginx sends its traffic to the others`);
    });
    children.push({ name, child });
    upstreams.push(`127.0.0.1:${port}`);
  }
  await Promise.all(children.map(({ child }, i) => waitHealthy(`http://${upstreams[i]}`, child, 60_000)));

  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(conf, nginxConfig({ dir, listen: `${opts.host}:${opts.port}`, upstreams }));
  const lb = spawn(nginx, ['-p', dir, '-c', conf, '-e', 'stderr'], { stdio: ['ignore', 'pipe', 'pipe'] });
  pipe(lb, 'nginx');
  lb.on('exit', (code) => {
    if (!stopping) {
      log(`nginx exited with ${code}`);
      void stop(1);
    }
  });
  children.unshift({ name: 'nginx', child: lb });
  const url = `http://${opts.host}:${opts.port}`;
  await waitHealthy(url, lb, 10_000);
  log(
    `${opts.nodes} nodes on ports ${opts.basePort}-${opts.basePort + opts.nodes - 1} behind nginx at ${url} (WebSocket at ${url.replace('http', 'ws')}/ws)`,
  );
  log(`nginx config: ${conf}. Press Ctrl-C to stop everything.`);
}

main().catch((err) => {
  process.stderr.write(`[cluster] ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
