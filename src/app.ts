import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import type { Bus } from './bus/bus.js';
import { type ConnectionCounter, MemoryConnectionCounter } from './bus/connection-counter.js';
import { MemoryBus } from './bus/memory-bus.js';
import { MemoryPresence, type Presence } from './bus/presence.js';
import { MemoryRateLimiter, type RateLimiter } from './bus/rate-limiter.js';
import { RedisBus } from './bus/redis-bus.js';
import { closeRedis, openRedis, redisReady } from './bus/redis-client.js';
import { RedisConnectionCounter, RedisPresence } from './bus/redis-presence.js';
import { RedisRateLimiter } from './bus/redis-rate-limiter.js';
import type { Config } from './config.js';
import { type Clock, systemClock } from './domain/clock.js';
import { fail } from './domain/errors.js';
import { newId } from './domain/ids.js';
import type { HttpContext, ReadyCheck } from './http/context.js';
import { type Gateway, attachGateway } from './gateway/gateway.js';
import { searchRoutes } from './http/routes/search.js';
import { conversationRoutes } from './http/routes/conversations.js';
import { endWithError } from './transport/raw-response.js';
import { buildHttp } from './http/server.js';
import { webRoutes } from './http/routes/web.js';
import { createLogger } from './logger.js';
import { type Metrics, createMetrics } from './metrics.js';
import { contactRoutes } from './http/routes/contacts.js';
import { groupRoutes } from './http/routes/groups.js';
import { profileRoutes } from './http/routes/profiles.js';
import { inviteRoutes } from './http/routes/invites.js';
import { lastSeenRoutes } from './http/routes/last-seen.js';
import { InviteService } from './services/invites.js';
import { LastSeenService } from './services/last-seen.js';
import { receiptRoutes } from './http/routes/receipts.js';
import { forwardRoutes } from './http/routes/forward.js';
import { AccountService } from './services/accounts.js';
import { AccountDeletion } from './services/account-deletion.js';
import { AccountExport } from './services/account-export.js';
import { TwoFactorService } from './services/two-factor.js';
import { AccountRecovery } from './services/account-recovery.js';
import { AccountEmail } from './services/account-email.js';
import { smtpMailer } from './mail/smtp-mailer.js';
import { accountSecurityRoutes } from './http/routes/account-security.js';
import { ContactService } from './services/contacts.js';
import { GroupService } from './services/groups.js';
import { FsBlobStore } from './blobs/fs-blob-store.js';
import { uploadInspector } from './blobs/inspect-upload.js';
import { FsScratch } from './blobs/scratch.js';
import { mediaApiRoutes, mediaFileRoutes } from './http/routes/media.js';
import { MediaService } from './services/media.js';
import { MediaUrlSigner, mediaSigner } from './services/media-urls.js';
import type { ServiceDeps } from './services/deps.js';
import { MessagingService } from './services/messaging.js';
import { ProfileService } from './services/profiles.js';
import { SearchService } from './services/search.js';
import { SearchIndexer } from './services/search-indexer.js';
import { Notifier } from './services/notifier.js';
import { PresenceLifecycle, presenceCircles } from './services/presence-lifecycle.js';
import { Argon2Hasher, GatedHasher, type PasswordHasher } from './services/passwords.js';
import { type KyselyStore, openStore } from './store/store.js';
import { PushService } from './services/push.js';
import { loadVapidKeys } from './push/vapid-keys.js';
import { WebPushSender } from './push/web-push-sender.js';
import { pushRoutes } from './http/routes/push.js';

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
  presence: Presence;
  limiter: RateLimiter;
  /** Cluster-wide WebSocket connections per user, for `connectionsPerUser` (the gateway uses it). */
  connections: ConnectionCounter;
  /** This node's name in presence and logs (`PARLEY_NODE_ID`, or random). */
  nodeId: string;
  /** PARLEY_ROLE switches: `api` nodes refuse WebSocket upgrades, `gateway` nodes serve no REST. */
  serveWs: boolean;
  serveApi: boolean;
  http: FastifyInstance;
  /** The WebSocket gateway; absent on `api` nodes (`serveWs` false). */
  gateway?: Gateway;
  log: Logger;
  metrics: Metrics;
  services: HttpContext['services'];
  /** The search index's background writer; absent when `PARLEY_SEARCH_INDEX=false`. */
  indexer?: SearchIndexer;
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
  const nodeId = config.nodeId ?? newId().slice(0, 12);
  const log = createLogger({
    level: config.logLevel,
    destination: opts.logDestination,
    nodeId,
    format: config.logFormat,
  });
  const clock = opts.clock ?? systemClock;
  const metrics = createMetrics();
  const secret = loadSecret(config);
  const store = await openStore(config.db, {
    sqliteSynchronous: config.sqliteSynchronous,
    sqliteWriter: config.sqliteWriter,
    poolSize: config.dbPoolSize,
  });
  const serveWs = config.role !== 'api';
  const serveApi = config.role !== 'gateway';
  // One node alone: everything in memory. With Redis: the bus, presence, the connection count
  // and rate limits are shared by every node (one command connection + the bus's two).
  const redis = config.redis
    ? {
        url: config.redis,
        prefix: config.redisPrefix,
        log,
        commandTimeoutMs: config.redisTimeout,
        pingIntervalMs: config.redisTimeout,
      }
    : undefined;
  const redisCmd = redis ? openRedis(redis, 'cmd') : undefined;
  const bus = opts.bus ?? (redis ? new RedisBus(redis) : new MemoryBus());
  const shared =
    redisCmd && redis ? { client: redisCmd, prefix: redis.prefix, ttlMs: config.presenceTtl, nodeId, log } : undefined;
  const presence: Presence = shared ? new RedisPresence(shared) : new MemoryPresence({ nodeId });
  const connections: ConnectionCounter = shared
    ? new RedisConnectionCounter(shared)
    : new MemoryConnectionCounter({ nodeId });
  const limiter: RateLimiter = shared ? new RedisRateLimiter(shared) : new MemoryRateLimiter(clock);
  if (redisCmd) {
    // Start serving either way: an unreachable Redis shows in /readyz and is retried forever.
    const startupWait = Math.max(5000, config.redisTimeout);
    const waits: Promise<void>[] = [redisReady(redisCmd, startupWait)];
    if (bus instanceof RedisBus) waits.push(bus.whenHealthy(startupWait));
    await Promise.all(waits).catch((err: Error) =>
      log.warn({ err: err.message }, 'Redis not reachable yet; starting unready'),
    );
  }
  // Built in dependency order, each from what exists already: the URL signer needs only the
  // secret and the clock, so the notifier, history and media replies all sign the same way.
  const urls = new MediaUrlSigner(secret, config.mediaUrlTtl);
  const sign = mediaSigner(urls, clock);
  const notify = new Notifier(bus, log, sign);
  const vapid = loadVapidKeys({
    dataDir: config.dataDir,
    publicKey: config.vapidPublicKey,
    privateKey: config.vapidPrivateKey,
    subject: config.vapidSubject,
  });
  const deps: ServiceDeps = { store, bus, clock, config, log, notify, presence, limiter };

  const blobs = new FsBlobStore(path.join(config.dataDir, 'blobs'));
  const media = new MediaService(deps, {
    blobs,
    scratch: new FsScratch(blobs.tmpDir),
    inspect: uploadInspector({
      maxPixels: config.imageMaxPixels,
      maxEdge: config.imageMaxEdge,
      onGateLoad: (l) => {
        metrics.imageJobs.set({ state: 'running' }, l.running);
        metrics.imageJobs.set({ state: 'waiting' }, l.waiting);
      },
    }),
    urls,
  });
  const indexer = config.searchIndex ? new SearchIndexer(store.searchIndex, log) : undefined;
  const messaging = new MessagingService(deps, {
    metrics,
    media,
    sign,
    committed: indexer && ((cids) => indexer.note(cids)),
  });
  const hasher = new GatedHasher(opts.hasher ?? new Argon2Hasher(), config.hashConcurrency);
  const recovery = new AccountRecovery(deps, hasher);
  const mailer = config.smtpUrl ? smtpMailer(config.smtpUrl, config.mailFrom) : undefined;
  const twoFactor: TwoFactorService = new TwoFactorService(
    deps,
    hasher,
    (user, meta): Promise<{ token: string; sessionId: string }> => services.accounts.startSession(user, meta),
  );
  const services = {
    accounts: new AccountService(
      deps,
      hasher,
      (userId, mediaId) => media.checkAvatar(userId, mediaId),
      (user) => twoFactor.challengeFor(user),
    ),
    contacts: new ContactService(deps),
    groups: new GroupService(deps, (userId, mediaId) => media.checkAvatar(userId, mediaId)),
    messaging,
    media,
    profiles: new ProfileService(deps),
    search: new SearchService(deps, (u, c) => messaging.readView(u, c), indexer),
    invites: new InviteService(deps),
    lastSeen: new LastSeenService(deps),
    push: new PushService(deps, new WebPushSender(vapid), vapid.publicKey),
    deletion: new AccountDeletion(deps, hasher),
    exports: new AccountExport(deps, (sha256) => media.read(sha256)),
    twoFactor,
    recovery,
    email: new AccountEmail(deps, recovery, mailer),
  };
  notify.watch(services.push);
  // Cluster control runs on every role: the authorization cache follows the cluster topic and
  // the bus's health (messaging), and this node announces the presence changes its sweeps
  // report (a dead node's users may fall to an `api` node).
  await services.messaging.start();
  indexer?.start();
  media.sweeper.start();
  const lifecycle = new PresenceLifecycle({
    presence,
    connections,
    notify,
    log,
    limit: config.connectionsPerUser,
    lastSeen: services.lastSeen,
    ...presenceCircles(store.authz),
  });
  lifecycle.start();

  // The gauges read the store and the bus when scraped; a reconnect is a return to health
  // after an outage was seen (the first connection at startup is not one).
  metrics.sources.pool = () => store.poolStats();
  metrics.sources.busHealthy = () => bus.healthy;
  let busWasDown = false;
  bus.onHealthChange?.((healthy) => {
    if (!healthy) busWasDown = true;
    else if (busWasDown) metrics.busReconnects.inc();
  });

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
  const http = await buildHttp(ctx, log, {
    api: [
      contactRoutes,
      groupRoutes,
      conversationRoutes,
      mediaApiRoutes,
      profileRoutes,
      searchRoutes,
      inviteRoutes,
      lastSeenRoutes,
      receiptRoutes,
      forwardRoutes,
      pushRoutes,
      accountSecurityRoutes,
    ],
    root: [mediaFileRoutes, webRoutes],
    serveApi,
  });
  const gateway = serveWs
    ? await attachGateway(http.server, bus, {
        accounts: services.accounts,
        messaging: services.messaging,
        config,
        clock,
        log,
        metrics,
        lifecycle,
      })
    : undefined;
  if (!serveWs) {
    // PARLEY_ROLE=api: no WebSocket here; say so instead of dropping the connection.
    http.server.on('upgrade', (_req, socket) => {
      endWithError(
        socket,
        fail('MISDIRECTED', 'This node serves REST only (PARLEY_ROLE=api); open WebSockets on a gateway node'),
        {},
        metrics.refused.ws,
      );
    });
  }

  let closing: Promise<void> | undefined;
  return {
    config,
    store,
    bus,
    presence,
    limiter,
    connections,
    nodeId,
    serveWs,
    serveApi,
    http,
    gateway,
    log,
    metrics,
    services,
    indexer,
    async listen() {
      await http.listen({ port: config.port, host: config.host });
      const addr = http.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.port;
      const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
      return `${config.tlsCert ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    },
    close() {
      closing ??= (async () => {
        await gateway?.close();
        await media.sweeper.stop();
        // Always settles (it cuts what is left after the grace), so the flush and the store
        // close below always run.
        await http.closeGracefully(config.shutdownGrace);
        await services.messaging.close();
        await indexer?.close();
        await services.push.close();
        mailer?.close();
        await presence.close();
        await connections.close();
        await limiter.close();
        await bus.close();
        if (redisCmd) await closeRedis(redisCmd);
        await store.close();
      })();
      return closing;
    },
  };
}
