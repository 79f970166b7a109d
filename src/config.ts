import path from 'node:path';
import {
  type Setting,
  ConfigError,
  bool,
  bytes,
  dbUrl,
  duration,
  int,
  maskSecrets,
  oneOf,
  origins,
  rate,
  redisUrl,
  str,
} from './config-spec.js';

export { ConfigError } from './config-spec.js';

const s = <T>(x: Setting<T>) => x;

/** Every setting: key → how to read it. The README's config table mirrors this list. */
export const settings = {
  port: s({
    env: 'PARLEY_PORT',
    flag: '--port',
    doc: 'HTTP and WebSocket port (`PORT` is read when this is unset, as platforms that assign the port set it)',
    parse: int(0, 65535),
    def: 8080,
  }),
  host: s({ env: 'PARLEY_HOST', flag: '--host', doc: 'Address to listen on', parse: str, def: '0.0.0.0' }),
  dataDir: s({
    env: 'PARLEY_DATA_DIR',
    flag: '--data-dir',
    doc: 'Folder for the SQLite file, blobs and the generated secret',
    parse: str,
    def: './data',
  }),
  db: s({
    env: 'PARLEY_DB',
    flag: '--db',
    doc: '`sqlite:<path>`, `postgres://…` or `mysql://…`',
    parse: dbUrl,
    def: (c) => `sqlite:${path.join(String(c.dataDir), 'parley.db')}`,
  }),
  sqliteSynchronous: s({
    env: 'PARLEY_SQLITE_SYNCHRONOUS',
    doc: 'SQLite `synchronous` pragma: FULL survives power loss, NORMAL survives a process crash',
    parse: oneOf('FULL', 'NORMAL'),
    def: 'FULL' as 'FULL' | 'NORMAL',
  }),
  sqliteWriter: s({
    env: 'PARLEY_SQLITE_WRITER',
    doc: 'Where SQLite writes run: `thread` (a writer thread, so commits and their fsync never block the event loop), `inline` (on the event loop: less overhead when the process has one CPU), `auto` (thread when the process may use two or more CPUs)',
    parse: oneOf('auto', 'thread', 'inline'),
    def: 'auto' as 'auto' | 'thread' | 'inline',
  }),
  searchIndex: s({
    env: 'PARLEY_SEARCH_INDEX',
    doc: 'Index messages for search in the background, behind the group commit (`false` only to measure what indexing costs: messages sent meanwhile are found only after indexing is back on)',
    parse: bool,
    def: true as boolean,
  }),
  dbPoolSize: s({
    env: 'PARLEY_DB_POOL',
    doc: 'Connections in the PostgreSQL/MySQL pool',
    parse: int(1, 200),
    def: 10,
  }),
  redis: s({
    env: 'PARLEY_REDIS',
    flag: '--redis',
    doc: 'Redis URL for the bus, presence and shared limits; unset = in-memory (one node)',
    parse: redisUrl,
    def: undefined as string | undefined,
  }),
  redisPrefix: s({
    env: 'PARLEY_REDIS_PREFIX',
    flag: '--redis-prefix',
    doc: 'Prefix of every Redis key and channel, so several deployments can share one Redis',
    parse: (r) => {
      if (!/^[\w:.-]{1,64}$/.test(r)) throw new ConfigError('expected 1 to 64 letters, digits or _ : . -');
      return r;
    },
    def: 'parley:',
  }),
  redisTimeout: s({
    env: 'PARLEY_REDIS_TIMEOUT',
    doc: 'A Redis command without a reply after this fails, and a connection whose PING goes unanswered this long is dropped and reopened',
    parse: duration(100),
    def: 5000,
  }),
  role: s({
    env: 'PARLEY_ROLE',
    flag: '--role',
    doc: '`all`, `gateway` (WebSocket only) or `api` (REST only)',
    parse: oneOf('all', 'gateway', 'api'),
    def: 'all' as 'all' | 'gateway' | 'api',
  }),
  nodeId: s({
    env: 'PARLEY_NODE_ID',
    doc: 'Name of this node in presence and logs (default: random)',
    parse: str,
    def: undefined as string | undefined,
  }),
  origins: s({
    env: 'PARLEY_ORIGINS',
    flag: '--origins',
    doc: 'Comma-separated Origins allowed on the WebSocket upgrade and CORS, besides same-origin; `*` allows any',
    parse: origins,
    def: [] as string[],
  }),
  tlsCert: s({
    env: 'PARLEY_TLS_CERT',
    doc: 'PEM certificate file: serve https and wss (with HSTS)',
    parse: str,
    def: undefined as string | undefined,
  }),
  tlsKey: s({
    env: 'PARLEY_TLS_KEY',
    doc: 'PEM private key file for `PARLEY_TLS_CERT`',
    parse: str,
    def: undefined as string | undefined,
  }),
  trustProxy: s({
    env: 'PARLEY_TRUST_PROXY',
    doc: 'Take client address and scheme from X-Forwarded-* (only behind your own load balancer)',
    parse: bool,
    def: false,
  }),
  smtpUrl: s({
    env: 'PARLEY_SMTP_URL',
    secret: true,
    doc: 'SMTP server for e-mail verification and password reset by e-mail (smtp://user:pass@host:587); unset = no e-mail',
    parse: str,
    def: undefined as string | undefined,
  }),
  mailFrom: s({
    env: 'PARLEY_MAIL_FROM',
    doc: 'Sender address of the e-mails Parley sends',
    parse: str,
    def: 'Parley <parley@localhost>',
  }),
  publicUrl: s({
    env: 'PARLEY_PUBLIC_URL',
    doc: 'The web client address put in e-mailed links (never taken from a request Host header)',
    parse: (r) => r.replace(/\/+$/, ''),
    def: 'http://localhost:8080',
  }),
  secret: s({
    env: 'PARLEY_SECRET',
    secret: true,
    doc: 'Key for signed media URLs (at least 32 chars); default: generated once into the data dir. Set the same value on every node',
    parse: (r) => {
      if (r.length < 32) throw new ConfigError('expected at least 32 characters');
      return r;
    },
    def: undefined as string | undefined,
  }),
  logLevel: s({
    env: 'PARLEY_LOG_LEVEL',
    flag: '--log-level',
    doc: 'fatal, error, warn, info, debug, trace or silent',
    parse: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
    def: 'info' as string,
  }),
  logFormat: s({
    env: 'PARLEY_LOG_FORMAT',
    flag: '--log-format',
    doc: '`auto` (human-readable when stdout is a terminal, JSON lines otherwise), `json` or `pretty`',
    parse: oneOf('auto', 'json', 'pretty'),
    def: 'auto' as 'auto' | 'json' | 'pretty',
  }),
  webDir: s({ env: 'PARLEY_WEB_DIR', doc: 'Folder of the built web client', parse: str, def: './web/dist' }),

  bodyLimit: s({
    env: 'PARLEY_BODY_LIMIT',
    doc: 'Largest JSON request body',
    unit: 'bytes',
    parse: bytes(1024),
    def: 256 * 1024,
  }),
  frameLimit: s({
    env: 'PARLEY_FRAME_LIMIT',
    doc: 'Largest WebSocket frame (bigger closes with 1009)',
    unit: 'bytes',
    parse: bytes(1024),
    def: 64 * 1024,
  }),
  textLimit: s({
    env: 'PARLEY_TEXT_LIMIT',
    doc: 'Longest message text, in characters',
    parse: int(1, 100_000),
    def: 4000,
  }),
  messageRate: s({
    env: 'PARLEY_MESSAGE_RATE',
    doc: 'Messages per second per user, across sockets and REST',
    parse: int(1, 1_000_000),
    def: 20,
  }),
  messageBurst: s({
    env: 'PARLEY_MESSAGE_BURST',
    doc: 'Burst allowance above the message rate',
    parse: int(1, 1_000_000),
    def: 40,
  }),
  groupMaxMembers: s({
    env: 'PARLEY_GROUP_MAX_MEMBERS',
    doc: 'Most members in one group',
    parse: int(2, 100_000),
    def: 2000,
  }),
  connectionsPerUser: s({
    env: 'PARLEY_CONNECTIONS_PER_USER',
    doc: 'Concurrent WebSocket connections per user',
    parse: int(1, 1000),
    def: 5,
  }),
  slowConsumerBytes: s({
    env: 'PARLEY_SLOW_CONSUMER_BYTES',
    doc: 'Unsent bytes after which a socket is closed as a slow consumer',
    unit: 'bytes',
    parse: bytes(1024),
    def: 1 << 20,
  }),
  friendRequestsPerDay: s({
    env: 'PARLEY_FRIEND_REQUESTS_PER_DAY',
    doc: 'Friend requests one user may send per day',
    parse: int(1, 100_000),
    def: 50,
  }),
  registerRate: s({
    env: 'PARLEY_REGISTER_RATE',
    doc: 'Registrations per client address: `<count>/<period>`, this many at once, refilled over the period (every registration costs an argon2 hash)',
    parse: rate,
    def: rate('20/1h'),
  }),
  hashConcurrency: s({
    env: 'PARLEY_HASH_CONCURRENCY',
    doc: 'Password hashes (registration, password change) computed at once per node; more wait their turn, while login checks never queue behind them',
    parse: int(1, 64),
    def: 2,
  }),
  lookupRate: s({
    env: 'PARLEY_LOOKUP_RATE',
    doc: 'User lookups by username or mobile (`GET /users?q=`) per user, and 5× that per client address: `<count>/<period>`',
    parse: rate,
    def: rate('30/1m'),
  }),
  inviteRate: s({
    env: 'PARLEY_INVITE_RATE',
    doc: 'Invite link look-ups and joins by code (`POST /invites/preview`, `POST /invites/join`) per user, and 5× that per client address: `<count>/<period>`',
    parse: rate,
    def: rate('20/1m'),
  }),
  groupInvitesMax: s({
    env: 'PARLEY_GROUP_INVITES_MAX',
    doc: 'Invite links a group keeps that are not revoked (expired and used-up ones count until revoked)',
    parse: int(1, 10_000),
    def: 100,
  }),
  conversationWriteRate: s({
    env: 'PARLEY_CONVERSATION_WRITE_RATE',
    doc: 'Read positions and conversation flags (mute, pin) a user may write, over REST and sockets: `<count>/<period>`',
    parse: rate,
    def: rate('60/3s'),
  }),
  groupCreateRate: s({
    env: 'PARLEY_GROUP_CREATE_RATE',
    doc: 'Groups one user may create: `<count>/<period>`',
    parse: rate,
    def: rate('20/1h'),
  }),
  groupAddRate: s({
    env: 'PARLEY_GROUP_ADD_RATE',
    doc: 'Times one user may add people to groups (a creation with members counts once, as does each add request): `<count>/<period>`',
    parse: rate,
    def: rate('120/1h'),
  }),
  uploadLimit: s({
    env: 'PARLEY_UPLOAD_LIMIT',
    doc: 'Largest upload',
    unit: 'bytes',
    parse: bytes(1024),
    def: 20 << 20,
  }),
  userQuota: s({
    env: 'PARLEY_USER_QUOTA',
    doc: 'Upload quota per user',
    unit: 'bytes',
    parse: bytes(1024),
    def: 1 << 30,
  }),
  imageMaxPixels: s({
    env: 'PARLEY_IMAGE_MAX_PIXELS',
    doc: 'Largest image accepted, in pixels (decompression-bomb guard)',
    parse: int(1, 1_000_000_000),
    def: 40_000_000,
  }),
  uploadsPerUser: s({
    env: 'PARLEY_UPLOADS_PER_USER',
    doc: 'Uploads one user may have in progress at once on a node (more: 429 TOO_MANY_UPLOADS)',
    parse: int(1, 1000),
    def: 4,
  }),
  imageMaxEdge: s({
    env: 'PARLEY_IMAGE_MAX_EDGE',
    doc: 'Long edge of stored images, in pixels',
    parse: int(64, 20_000),
    def: 2560,
  }),
  loginAttempts: s({
    env: 'PARLEY_LOGIN_ATTEMPTS',
    doc: 'Failed logins per account (and 5× that per address) within the login window',
    parse: int(1, 10_000),
    def: 10,
  }),

  loginWindow: s({
    env: 'PARLEY_LOGIN_WINDOW',
    doc: 'Window for login throttling',
    unit: 'ms',
    parse: duration(1000),
    def: 15 * 60_000,
  }),
  sessionTtl: s({
    env: 'PARLEY_SESSION_TTL',
    doc: 'Session lifetime since last use',
    unit: 'ms',
    parse: duration(60_000),
    def: 30 * 86_400_000,
  }),
  httpHeadersTimeout: s({
    env: 'PARLEY_HTTP_HEADERS_TIMEOUT',
    doc: 'Time a client has to send its request line and headers; a connection still sending them after this gets 408 and is closed (slow-header clients holding sockets)',
    unit: 'ms',
    parse: duration(100),
    def: 10_000,
  }),
  httpRequestTimeout: s({
    env: 'PARLEY_HTTP_REQUEST_TIMEOUT',
    doc: "Time a client has to send a whole request, body included (0 = no limit; at least the headers timeout). Uploads stream within it: keep it above `PARLEY_UPLOAD_LIMIT` at your slowest clients' upload rate (20 MiB in 15 min is 23 KB/s)",
    unit: 'ms',
    parse: duration(0),
    def: 15 * 60_000,
  }),
  authTimeout: s({
    env: 'PARLEY_AUTH_TIMEOUT',
    doc: 'Time for a socket to send its auth frame',
    unit: 'ms',
    parse: duration(10),
    def: 5000,
  }),
  unauthSocketsPerAddress: s({
    env: 'PARLEY_UNAUTH_PER_ADDRESS',
    doc: 'Sockets from one address not yet authenticated (more: HTTP 429 at the upgrade)',
    parse: int(1, 1_000_000),
    def: 20,
  }),
  unauthSockets: s({
    env: 'PARLEY_UNAUTH_SOCKETS',
    doc: 'Sockets per node not yet authenticated, all addresses (more: HTTP 429)',
    parse: int(1, 10_000_000),
    def: 2000,
  }),
  frameRate: s({
    env: 'PARLEY_FRAME_RATE',
    doc: 'Inbound frames per second per socket, `ping` included (over it: `RATE_LIMITED`, then 1008)',
    parse: int(1, 1_000_000),
    def: 100,
  }),
  frameBurst: s({
    env: 'PARLEY_FRAME_BURST',
    doc: 'Burst above the frame rate; this many refused in a row close the socket (1008)',
    parse: int(1, 1_000_000),
    def: 1000,
  }),
  pingInterval: s({
    env: 'PARLEY_PING_INTERVAL',
    doc: 'WebSocket ping interval',
    unit: 'ms',
    parse: duration(10),
    def: 25_000,
  }),
  idleTimeout: s({
    env: 'PARLEY_IDLE_TIMEOUT',
    doc: 'Close a socket silent for this long',
    unit: 'ms',
    parse: duration(10),
    def: 60_000,
  }),
  recallWindow: s({
    env: 'PARLEY_RECALL_WINDOW',
    doc: 'How long a sender may recall or edit a message',
    unit: 'ms',
    parse: duration(0),
    def: 120_000,
  }),
  typingThrottle: s({
    env: 'PARLEY_TYPING_THROTTLE',
    doc: 'Least time between two typing frames relayed per user and conversation',
    unit: 'ms',
    parse: duration(0),
    def: 2000,
  }),
  commitWindow: s({
    env: 'PARLEY_COMMIT_WINDOW',
    doc: 'Group-commit window: how long the writer gathers messages before one transaction',
    unit: 'ms',
    parse: duration(0),
    def: 2,
  }),
  commitBatch: s({
    env: 'PARLEY_COMMIT_BATCH',
    doc: 'Most messages in one group commit',
    parse: int(1, 10_000),
    def: 256,
  }),
  receiptWindow: s({
    env: 'PARLEY_RECEIPT_WINDOW',
    doc: "How long delivered positions (`received` frames) gather before one transaction; a sender's delivered tick waits up to this",
    unit: 'ms',
    parse: duration(1),
    def: 20,
  }),
  presenceTtl: s({
    env: 'PARLEY_PRESENCE_TTL',
    doc: 'A node that stops refreshing presence has its users offline after this',
    unit: 'ms',
    parse: duration(1000),
    def: 30_000,
  }),
  mediaUrlTtl: s({
    env: 'PARLEY_MEDIA_URL_TTL',
    doc: 'Lifetime of a signed media URL',
    unit: 'ms',
    parse: duration(1000),
    def: 6 * 3_600_000,
  }),
  blobSweepInterval: s({
    env: 'PARLEY_BLOB_SWEEP_INTERVAL',
    doc: 'How often unreferenced blobs are collected (0 = never)',
    unit: 'ms',
    parse: duration(0),
    def: 3_600_000,
  }),
  blobSweepGrace: s({
    env: 'PARLEY_BLOB_SWEEP_GRACE',
    doc: 'A blob (or temp file) younger than this is never swept, so an upload in progress keeps its bytes',
    unit: 'ms',
    parse: duration(0),
    def: 3_600_000,
  }),
  retention: s({
    env: 'PARLEY_RETENTION',
    doc: 'Delete conversation entries older than this (0 = keep everything)',
    unit: 'ms',
    parse: duration(0),
    def: 0,
  }),
  shutdownGrace: s({
    env: 'PARLEY_SHUTDOWN_GRACE',
    doc: 'Time allowed for in-flight work on SIGTERM',
    unit: 'ms',
    parse: duration(0),
    def: 10_000,
  }),
  vapidPublicKey: s({
    env: 'PARLEY_VAPID_PUBLIC_KEY',
    doc: 'Web Push VAPID public key (base64url, 65-byte P-256 point); default: generated once into `<dataDir>/vapid.json`. Set the same pair on every node',
    parse: (r) => {
      if (!/^[A-Za-z0-9_-]{87}$/.test(r))
        throw new ConfigError('expected a base64url P-256 public key (87 characters)');
      return r;
    },
    def: undefined as string | undefined,
  }),
  vapidPrivateKey: s({
    env: 'PARLEY_VAPID_PRIVATE_KEY',
    secret: true,
    doc: 'Web Push VAPID private key (base64url, 32 bytes), with `PARLEY_VAPID_PUBLIC_KEY`',
    parse: (r) => {
      if (!/^[A-Za-z0-9_-]{43}$/.test(r))
        throw new ConfigError('expected a base64url P-256 private key (43 characters)');
      return r;
    },
    def: undefined as string | undefined,
  }),
  vapidSubject: s({
    env: 'PARLEY_VAPID_SUBJECT',
    doc: 'Contact the push services may use about this server: a `mailto:` or `https:` URL',
    parse: (r) => {
      if (!/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/.test(r) || r.length > 256)
        throw new ConfigError('expected a mailto: address or an https: URL');
      return r;
    },
    def: 'mailto:postmaster@localhost',
  }),
  pushDelay: s({
    env: 'PARLEY_PUSH_DELAY',
    doc: 'A push waits this long to collect more messages of the same conversation into one notification',
    unit: 'ms',
    parse: duration(0),
    def: 5000,
  }),
  pushMaxDevices: s({
    env: 'PARLEY_PUSH_MAX_DEVICES',
    doc: 'Push subscriptions one user may have',
    parse: int(1, 100),
    def: 10,
  }),
  pushAllowLoopbackHttp: s({
    env: 'PARLEY_PUSH_ALLOW_LOOPBACK_HTTP',
    doc: 'Accept `http://127.0.0.1` push endpoints (for a local test push service only; never in production)',
    parse: bool,
    def: false,
  }),
};

type Settings = typeof settings;
export type Config = { [K in keyof Settings]: Settings[K] extends Setting<infer T> ? T : never };

/**
 * Reads the config from env and CLI flags (flags win). Throws {@link ConfigError} with one
 * line naming the variable and what it accepts.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, argv: string[] = []): Config {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) flags.set(a.slice(0, eq), a.slice(eq + 1));
    else if (argv[i + 1] !== undefined) flags.set(a, argv[++i]!);
    else throw new ConfigError(`${a}: expected a value`);
  }
  const known = new Set(
    Object.values(settings)
      .map((x) => x.flag)
      .filter(Boolean),
  );
  for (const f of flags.keys()) if (!known.has(f)) throw new ConfigError(`${f}: unknown flag`);

  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(settings) as [string, Setting<unknown>][]) {
    let raw = (spec.flag && flags.get(spec.flag)) ?? env[spec.env];
    let name = `${spec.env}${spec.flag ? ` (${spec.flag})` : ''}`;
    if (key === 'port' && (raw === undefined || raw === '') && env.PORT) {
      raw = env.PORT;
      name = 'PORT';
    }
    if (raw === undefined || raw === '') {
      out[key] = typeof spec.def === 'function' ? (spec.def as (c: Record<string, unknown>) => unknown)(out) : spec.def;
      continue;
    }
    try {
      out[key] = spec.parse(raw);
    } catch (e) {
      const why = e instanceof ConfigError ? e.message : String(e);
      // Never echo a secret: a secret setting shows only its length, any URL its password masked.
      const got = spec.secret
        ? `got ${raw.length} characters`
        : `got ${JSON.stringify(maskSecrets(raw).slice(0, 100))}`;
      throw new ConfigError(`${name}: ${why}, ${got}`);
    }
  }
  const c = out as Config;
  if (Boolean(c.tlsCert) !== Boolean(c.tlsKey))
    throw new ConfigError('PARLEY_TLS_CERT and PARLEY_TLS_KEY: set both or neither');
  if (c.httpRequestTimeout > 0 && c.httpRequestTimeout < c.httpHeadersTimeout) {
    throw new ConfigError('PARLEY_HTTP_REQUEST_TIMEOUT: expected 0 or at least PARLEY_HTTP_HEADERS_TIMEOUT');
  }
  return c;
}

/** Config for tests: defaults, then overrides. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  // Tests build whole social graphs from one loopback address, so the abuse limits are out of
  // their way unless a test sets one (test/hardening/abuse-limits.test.ts does).
  const roomy = rate('1000000/1s');
  return {
    ...loadConfig({}),
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    registerRate: roomy,
    lookupRate: roomy,
    inviteRate: roomy,
    groupCreateRate: roomy,
    groupAddRate: roomy,
    ...overrides,
  };
}
