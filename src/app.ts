import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import type { Bus } from './bus/bus.js';
import { MemoryBus } from './bus/memory-bus.js';
import { MemoryPresence } from './bus/presence.js';
import { MemoryRateLimiter } from './bus/rate-limiter.js';
import type { Config } from './config.js';
import { type Clock, systemClock } from './domain/clock.js';
import type { HttpContext, ReadyCheck } from './http/context.js';
import { type Gateway, attachGateway } from './gateway/gateway.js';
import { conversationRoutes } from './http/routes/conversations.js';
import { buildHttp } from './http/server.js';
import { createLogger } from './logger.js';
import { type Metrics, createMetrics } from './metrics.js';
import { AccountService } from './services/accounts.js';
import type { ServiceDeps } from './services/deps.js';
import { MessagingService } from './services/messaging.js';
import { Notifier } from './services/notifier.js';
import { Argon2Hasher, type PasswordHasher } from './services/passwords.js';
import { type KyselyStore, openStore } from './store/store.js';

export interface AppOptions {
  clock?: Clock;
  hasher?: PasswordHasher;
  /** Where logs go (default stdout); tests pass a stream to read them. */
  logDestination?: DestinationStream;
  bus?: Bus;
}

export interface App {
  config: Config;
  store: KyselyStore;
  bus: Bus;
  http: FastifyInstance;
  gateway: Gateway;
  log: Logger;
  metrics: Metrics;
  services: HttpContext['services'];
  /** Listens on the configured host and port; resolves with the base URL. */
  listen(): Promise<string>;
  /** Graceful stop: refuse new work, finish in-flight work, flush, close the store. Idempotent. */
  close(): Promise<void>;
}

/** Reads `PARLEY_SECRET`, or makes one once and keeps it in the data dir. */
function loadSecret(config: Config): string {
  if (config.secret) return config.secret;
  const file = path.join(config.dataDir, 'secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(config.dataDir, { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    fs.writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  }
}

/**
 * The composition root: the only place that picks implementations (SQLite or PostgreSQL or
 * MySQL, memory or Redis) and wires services to transports.
 */
export async function createApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const log = createLogger(config.logLevel, opts.logDestination);
  const clock = opts.clock ?? systemClock;
  const metrics = createMetrics();
  const secret = loadSecret(config);
  const store = await openStore(config.db, { sqliteSynchronous: config.sqliteSynchronous, poolSize: config.dbPoolSize });
  const bus = opts.bus ?? new MemoryBus();
  const notify = new Notifier(bus, log);
  const presence = new MemoryPresence();
  const limiter = new MemoryRateLimiter(clock);
  const deps: ServiceDeps = { store, bus, clock, config, log, notify, presence, limiter };
  void secret;

  const services = {
    accounts: new AccountService(deps, opts.hasher ?? new Argon2Hasher()),
    messaging: new MessagingService(deps, { metrics }),
  };
  services.messaging.start();

  const ready = async (): Promise<ReadyCheck> => {
    const checks: ReadyCheck['checks'] = {};
    try {
      await store.ping();
      checks.store = { ok: true };
    } catch (e) {
      checks.store = { ok: false, error: (e as Error).message };
    }
    checks.bus = { ok: bus.healthy };
    return { ok: Object.values(checks).every((c) => c.ok), checks };
  };
  const ctx: HttpContext = { services, config, metrics, ready };
  const http = await buildHttp(ctx, log, { api: [conversationRoutes] });
  const gateway = await attachGateway(http.server, bus, {
    accounts: services.accounts, messaging: services.messaging, users: store.users, config, clock, log, metrics,
  });

  let closing: Promise<void> | undefined;
  return {
    config, store, bus, http, gateway, log, metrics, services,
    async listen() {
      await http.listen({ port: config.port, host: config.host });
      const addr = http.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.port;
      const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
      return `${config.tlsCert ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    },
    close() {
      closing ??= (async () => {
        await gateway.close();
        await http.close();
        await services.messaging.close();
        await bus.close();
        await presence.close();
        await limiter.close();
        await store.close();
      })();
      return closing;
    },
  };
}
