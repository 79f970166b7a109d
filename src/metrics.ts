import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { packageVersion } from './version.js';

/** The transports refusals and sends are counted by. */
export type TransportLabel = 'rest' | 'ws';

/** Database connection use, as the store reports it (`KyselyStore.poolStats`). */
export type PoolStatsSource = () => { total: number; idle: number; waiting: number } | { writerQueue: number };

/** What the gauges read at scrape time; wired by `app.ts` once the parts exist. */
export interface MetricSources {
  pool?: PoolStatsSource;
  busHealthy?: () => boolean;
}

let commit: string | undefined;
/**
 * The commit the server runs from, when it runs from a git checkout (`unknown` otherwise, as in
 * a container image built without `.git`). Asked once per process.
 */
export function sourceCommit(): string {
  if (commit === undefined) {
    const r = spawnSync('git', ['rev-parse', 'HEAD'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
      timeout: 2000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const out = r.status === 0 ? r.stdout.trim() : '';
    commit = /^[0-9a-f]{40}$/.test(out) ? out : 'unknown';
  }
  return commit;
}

/** Send → ack latency buckets: a group commit is a few ms, a loaded or remote database more. */
const ACK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Prometheus metrics, one registry per app instance (several apps can share a test process).
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const sources: MetricSources = {};
  const refusals = new Counter({
    name: 'parley_refusals_total',
    help: 'Failures answered to clients, by error code and transport (rest: a reply or a raw refusal; ws: an error frame or a refused upgrade)',
    labelNames: ['code', 'transport'] as const,
    registers: [registry],
  });
  const m = {
    registry,
    /** Set by the composition root: where the pool and bus gauges read from. */
    sources,
    buildInfo: new Gauge({
      name: 'parley_build_info',
      help: 'Always 1; the labels say which build runs',
      labelNames: ['version', 'node_version', 'commit'] as const,
      registers: [registry],
    }),
    refusals,
    /** The observer the error mapping of one transport reports to. */
    refused: {
      rest: ((w) => refusals.inc({ code: w.code, transport: 'rest' })) as (w: { code: string }) => void,
      ws: ((w) => refusals.inc({ code: w.code, transport: 'ws' })) as (w: { code: string }) => void,
    },
    sendAck: new Histogram({
      name: 'parley_send_ack_seconds',
      help: 'From a send arriving to its ack being sent (validation, authorization, rate limit, group commit), by transport',
      labelNames: ['transport'] as const,
      registers: [registry],
      buckets: ACK_BUCKETS,
    }),
    dbPoolConnections: new Gauge({
      name: 'parley_db_pool_connections',
      help: 'PostgreSQL/MySQL pool connections, by state (total: open; idle: open and unused)',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const p = sources.pool?.();
        if (!p || 'writerQueue' in p) return;
        this.set({ state: 'total' }, p.total);
        this.set({ state: 'idle' }, p.idle);
      },
    }),
    dbPoolWaiting: new Gauge({
      name: 'parley_db_pool_waiting',
      help: 'Queries waiting for a PostgreSQL/MySQL pool connection',
      registers: [registry],
      collect() {
        const p = sources.pool?.();
        if (p && !('writerQueue' in p)) this.set(p.waiting);
      },
    }),
    sqliteWriterQueue: new Gauge({
      name: 'parley_sqlite_writer_queue',
      help: 'SQLite writes and transactions waiting for the writing connection',
      registers: [registry],
      collect() {
        const p = sources.pool?.();
        if (p && 'writerQueue' in p) this.set(p.writerQueue);
      },
    }),
    busHealthy: new Gauge({
      name: 'parley_bus_healthy',
      help: '1 while the bus (Redis, or the in-memory one) delivers between nodes, 0 during an outage',
      registers: [registry],
      collect() {
        if (sources.busHealthy) this.set(sources.busHealthy() ? 1 : 0);
      },
    }),
    busReconnects: new Counter({
      name: 'parley_bus_reconnects_total',
      help: 'Times the bus came back healthy after an outage (each one closes the sockets with 1012 so clients sync)',
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'parley_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    }),
    imageJobs: new Gauge({
      name: 'parley_image_jobs',
      help: 'Image decodes running and waiting for a slot of the fair image gate',
      labelNames: ['state'] as const,
      registers: [registry],
    }),
    connections: new Gauge({
      name: 'parley_ws_connections',
      help: 'Open WebSocket connections',
      registers: [registry],
    }),
    messagesIn: new Counter({
      name: 'parley_messages_in_total',
      help: 'Messages accepted from clients',
      labelNames: ['transport'] as const,
      registers: [registry],
    }),
    messagesOut: new Counter({
      name: 'parley_messages_out_total',
      help: 'Frames published for delivery',
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'parley_deliveries_total',
      help: 'Frames written to sockets',
      registers: [registry],
    }),
    slowConsumers: new Counter({
      name: 'parley_slow_consumers_total',
      help: 'Sockets closed for not reading',
      registers: [registry],
    }),
    commitBatch: new Histogram({
      name: 'parley_store_commit_batch_size',
      help: 'Messages per group commit',
      registers: [registry],
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    }),
    commitSeconds: new Histogram({
      name: 'parley_store_commit_seconds',
      help: 'Group commit latency',
      registers: [registry],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    }),
  };
  m.buildInfo.set({ version: packageVersion(), node_version: process.version, commit: sourceCommit() }, 1);
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
