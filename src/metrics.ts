import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics, one registry per app instance (several apps can share a test process).
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const m = {
    registry,
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
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
