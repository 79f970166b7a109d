import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DialectName } from '../../src/store/db.js';
import { freshDatabase, type TestDatabase } from '../../fixtures/databases.js';
import { type SpawnOptions, type ServerProc, freePort, spawnServer } from '../lib/spawn-server.js';
import { seedParley } from '../seed/parley-seed.js';
import { connectParley } from './parley-conn.js';
import type { BenchUser, ConnectOptions, Target, WorldSpec } from './target.js';

export interface ParleyOptions {
  dialect?: DialectName;
  /** Use this database instead of a fresh one (scale-out: two nodes on one database). */
  db?: TestDatabase;
  /** Extra PARLEY_* settings (commit window, synchronous, Redis…). */
  env?: Record<string, string>;
  spawn?: Partial<SpawnOptions>;
}

/**
 * The limits a benchmark must exceed, raised for the benchmark only (documented in
 * BENCHMARKS.md): one sender may push thousands of messages (so frames) per second, a user may
 * hold more sockets than the default 5 (connect-storm reconnects), thousands of sockets from one
 * loopback address wait for their auth frame at once, and the seed registers many users and
 * reads many conversations from one address. Otherwise the numbers would measure the throttles.
 */
export const BENCH_LIMITS: Record<string, string> = {
  PARLEY_MESSAGE_RATE: '1000000',
  PARLEY_MESSAGE_BURST: '1000000',
  PARLEY_CONNECTIONS_PER_USER: '1000',
  PARLEY_FRAME_RATE: '1000000',
  PARLEY_FRAME_BURST: '1000000',
  PARLEY_UNAUTH_PER_ADDRESS: '1000000',
  PARLEY_UNAUTH_SOCKETS: '10000000',
  PARLEY_REGISTER_RATE: '1000000/1s',
  PARLEY_LOOKUP_RATE: '1000000/1s',
  PARLEY_CONVERSATION_WRITE_RATE: '1000000/1s',
  PARLEY_GROUP_CREATE_RATE: '1000000/1s',
  PARLEY_GROUP_ADD_RATE: '1000000/1s',
};

export async function parleyTarget(o: ParleyOptions = {}): Promise<Target & { db: TestDatabase; dataDir: string }> {
  const db = o.db ?? (await freshDatabase(o.dialect ?? 'sqlite'));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
  let server: ServerProc;
  const port = await freePort();
  try {
    server = await spawnServer({
      port,
      script: 'src/main.ts',
      args: ['serve'],
      readiness: 'healthz',
      ...o.spawn,
      env: {
        PARLEY_HOST: '127.0.0.1',
        PARLEY_PORT: String(port),
        PARLEY_DATA_DIR: dataDir,
        PARLEY_DB: db.url,
        PARLEY_LOG_LEVEL: 'warn',
        PARLEY_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
        ...BENCH_LIMITS,
        ...o.env,
        ...o.spawn?.env,
      },
    });
  } catch (e) {
    if (!o.db) await db.drop().catch(() => {});
    throw e;
  }
  const wsUrl = `${server.url.replace('http', 'ws')}/ws`;
  return {
    name: 'parley',
    server,
    acks: true,
    db,
    dataDir,
    prepare: (spec: WorldSpec) => seedParley(db.url, spec),
    connect: (user: BenchUser, opts: ConnectOptions) => connectParley(wsUrl, user, opts),
    async stop() {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (!o.db) await db.drop().catch(() => {});
    },
  };
}
