import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type { Config } from '../../src/config.js';
import { ParleyClient, type ClientOptions, type WebSocketCtor } from '@parley/client';
import type { DialectName } from '../../src/store/db.js';
import { type TestDatabase, freshDatabase } from '../../fixtures/databases.js';
import { DeliveryChecker } from './delivery-checker.js';
import { RedisServer, freePort } from './redis-server.js';
import { type ApiClient, type TestServer, registerUser, startServer } from './server.js';
import { until } from './redis.js';
import { TcpProxy } from './tcp-proxy.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Short durations for every node of a fault test: a dead node's users are offline after
 * 1.5 s, a silent Redis is noticed after 1 s (shorter trips the PING watchdog on a loaded
 * 2-core machine), a silent socket after 2 s. Rate limits are
 * raised so the tests measure delivery, not flood control.
 */
export const FAULT_TIMINGS = {
  presenceTtl: 1500,
  redisTimeout: 1000,
  pingInterval: 500,
  idleTimeout: 2000,
  messageRate: 2000,
  messageBurst: 2000,
} satisfies Partial<Config>;

/** One node: in this process (a {@link TestServer}) or a real child process (can be SIGKILLed). */
export interface ClusterNode {
  name: string;
  url: string;
  /** The node's own Redis proxy (cut it to isolate this node from Redis). */
  redisProxy: TcpProxy;
  server?: TestServer;
  child?: ChildProcess;
}

export interface Cluster {
  db: TestDatabase;
  redis: RedisServer;
  /** In front of the database when `dbProxy` was asked for (every node connects through it). */
  dbProxy?: TcpProxy;
  nodes: ClusterNode[];
  api: ApiClient;
  checker: DeliveryChecker;
  /** Registers a user (through node 0). */
  user(name: string): Promise<{ id: string; token: string }>;
  /**
   * A protocol client whose URL list starts at node `first` and continues with the others, so
   * when that node dies it fails over to the next one. Attached to the delivery checker.
   */
  client(
    name: string,
    u: { id: string; token: string },
    first: number,
    extra?: Partial<ClientOptions>,
  ): Promise<ParleyClient>;
  /** SIGKILLs a child-process node and waits until it is gone. */
  kill(i: number): Promise<void>;
  close(): Promise<void>;
}

export interface ClusterOptions {
  dialect: DialectName;
  nodes: number;
  /** Put a TcpProxy in front of the database (for database faults). */
  dbProxy?: boolean;
  /** Indexes of nodes to run as real child processes (`node --import tsx src/main.ts serve`). */
  processes?: number[];
  config?: Partial<Config>;
}

const wsUrl = (http: string) => `${http.replace(/^http/, 'ws')}/ws`;

/** The database URL with host:port replaced by the proxy's. */
function throughProxy(url: string, proxy: TcpProxy): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(proxy.port);
  return u.toString();
}

const ENV: Record<string, keyof Config> = {
  PARLEY_PRESENCE_TTL: 'presenceTtl',
  PARLEY_REDIS_TIMEOUT: 'redisTimeout',
  PARLEY_PING_INTERVAL: 'pingInterval',
  PARLEY_IDLE_TIMEOUT: 'idleTimeout',
  PARLEY_MESSAGE_RATE: 'messageRate',
  PARLEY_MESSAGE_BURST: 'messageBurst',
};

/** A node as a real process, with the environment `scripts/cluster.ts` gives its nodes. */
async function spawnNode(
  name: string,
  env: Record<string, string>,
  config: Partial<Config>,
): Promise<{ child: ChildProcess; url: string; dataDir: string }> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-node-'));
  const vars: Record<string, string> = {
    // As testConfig: the suites build their users from one loopback address.
    PARLEY_REGISTER_RATE: '1000000/1s',
    PARLEY_LOOKUP_RATE: '1000000/1s',
    PARLEY_GROUP_CREATE_RATE: '1000000/1s',
    PARLEY_GROUP_ADD_RATE: '1000000/1s',
    ...env,
    PARLEY_HOST: '127.0.0.1',
    PARLEY_PORT: String(port),
    PARLEY_NODE_ID: name,
    PARLEY_DATA_DIR: dataDir,
    PARLEY_LOG_LEVEL: 'warn',
  };
  for (const [k, key] of Object.entries(ENV)) if (config[key] !== undefined) vars[k] = String(config[key]);
  const child = spawn(process.execPath, ['--conditions=@parley/source', '--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: root,
    env: { ...process.env, ...vars },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr = (stderr + String(d)).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return { child, url, dataDir };
    } catch {
      /* not listening yet */
    }
    if (Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not become ready: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * N Parley nodes on one fresh database and one private redis-server, each node reaching Redis
 * through its own TcpProxy (so one node can be cut off), optionally the database through a
 * shared TcpProxy. Never touches the machine's shared Redis.
 */
export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const db = await freshDatabase(opts.dialect);
  const redis = await RedisServer.start();
  const dbPort = opts.dialect === 'postgres' ? 5432 : 3306;
  const dbProxy = opts.dbProxy ? await TcpProxy.start({ port: Number(new URL(db.url).port || dbPort) }) : undefined;
  const dbUrl = dbProxy ? throughProxy(db.url, dbProxy) : db.url;
  const secret = randomBytes(32).toString('base64url');
  const prefix = `f${randomBytes(3).toString('hex')}:`;
  const config = { ...FAULT_TIMINGS, ...opts.config };
  const nodes: ClusterNode[] = [];
  const dataDirs: string[] = [];
  const checker = new DeliveryChecker();
  const clients: ParleyClient[] = [];

  const startOne = async (i: number): Promise<ClusterNode> => {
    const name = `node-${i + 1}`;
    const redisProxy = await TcpProxy.start({ port: redis.port });
    const redisUrl = `redis://${redisProxy.url}`;
    if (opts.processes?.includes(i)) {
      const env = { PARLEY_DB: dbUrl, PARLEY_REDIS: redisUrl, PARLEY_REDIS_PREFIX: prefix, PARLEY_SECRET: secret };
      const { child, url, dataDir } = await spawnNode(name, env, config);
      dataDirs.push(dataDir);
      return { name, url, redisProxy, child };
    }
    const server = await startServer({
      db: { ...db, url: dbUrl },
      config: { redis: redisUrl, redisPrefix: prefix, nodeId: name, secret, ...config },
    });
    return { name, url: server.url, redisProxy, server };
  };

  try {
    // The first node migrates the fresh database; the others start on it together.
    nodes.push(await startOne(0));
    nodes.push(...(await Promise.all(Array.from({ length: opts.nodes - 1 }, (_, i) => startOne(i + 1)))));
  } catch (err) {
    for (const n of nodes) await stopNode(n);
    await redis.stop();
    await dbProxy?.close();
    await db.drop();
    throw err;
  }
  const api = nodes.find((n) => n.server)?.server?.api ?? nodes[0]!.server!.api;
  // A node starts even when Redis is slow to answer (it shows in /readyz): tests begin once
  // every node is ready, so their setup (which publishes on the bus) does not race it.
  await until(
    async () => {
      for (const n of nodes) if ((await fetch(`${n.url}/readyz`).catch(() => undefined))?.status !== 200) return false;
      return true;
    },
    'every node ready',
    15_000,
  );

  return {
    db,
    redis,
    dbProxy,
    nodes,
    api,
    checker,
    async user(name) {
      const u = await registerUser(api, name);
      return { id: u.user.id, token: u.token };
    },
    async client(name, u, first, extra = {}) {
      const urls = nodes.map((_, k) => wsUrl(nodes[(first + k) % nodes.length]!.url));
      const c = new ParleyClient({
        urls,
        token: u.token,
        WebSocket: WebSocket as unknown as WebSocketCtor,
        backoffInitialMs: 50,
        backoffMaxMs: 400,
        gapDelayMs: 100,
        unavailableRetryMs: 200,
        ...extra,
      });
      checker.attach(name, u.id, c);
      clients.push(c);
      await c.connect();
      await c.synced();
      return c;
    },
    async kill(i) {
      const child = nodes[i]!.child;
      if (!child) throw new Error(`node ${i} is not a process`);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    },
    async close() {
      for (const c of clients) c.close();
      for (const n of nodes) await stopNode(n);
      await redis.stop();
      await dbProxy?.close();
      await db.drop();
      for (const d of dataDirs) fs.rmSync(d, { recursive: true, force: true });
    },
  };
}

async function stopNode(n: ClusterNode) {
  if (n.server) {
    // A node cut off from the database still closes (its store close may fail).
    await n.server.app.close().catch(() => {});
    fs.rmSync(n.server.dataDir, { recursive: true, force: true });
  }
  if (n.child && n.child.exitCode === null && n.child.signalCode === null) {
    const gone = new Promise((r) => n.child!.once('exit', r));
    n.child.kill('SIGKILL');
    await gone;
  }
  await n.redisProxy.close();
}
