import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { type App, type AppOptions, createApp } from '../../src/app.js';
import { type Config, testConfig } from '../../src/config.js';
import type { DialectName } from '../../src/store/db.js';
import { type TestDatabase, freshDatabase } from '../../fixtures/databases.js';
import { FastHasher } from './fast-hasher.js';

/** Every log line the server wrote, for tests that check what is (not) logged. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    cb();
  }
  get text() {
    return this.lines.join('\n');
  }
}

export interface TestServer {
  app: App;
  url: string;
  db: TestDatabase;
  dataDir: string;
  logs: LogCapture;
  api: ApiClient;
  close(): Promise<void>;
}

export interface StartOptions extends Omit<AppOptions, 'logDestination'> {
  dialect?: DialectName;
  config?: Partial<Config>;
  /** Reuse an existing database (e.g. to restart a server on the same data). */
  db?: TestDatabase;
  dataDir?: string;
  /** Use the real argon2id hasher instead of the fast test one. */
  realHasher?: boolean;
}

/** Starts a real Parley on a free loopback port with a fresh database of the given dialect. */
export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const db = opts.db ?? (await freshDatabase(opts.dialect ?? 'sqlite'));
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'parley-data-'));
  const logs = new LogCapture();
  const config = testConfig({ db: db.url, dataDir, logLevel: 'info', ...opts.config });
  const app = await createApp(config, {
    ...opts,
    hasher: opts.realHasher ? undefined : (opts.hasher ?? new FastHasher()),
    logDestination: logs,
  });
  const url = await app.listen();
  return {
    app,
    url,
    db,
    dataDir,
    logs,
    api: new ApiClient(url),
    async close() {
      await app.close();
      if (!opts.db) await db.drop();
      if (!opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ApiReply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A small JSON client over real HTTP. */
export class ApiClient {
  constructor(readonly base: string) {}

  async req<T = any>(
    method: string,
    path: string,
    opts: { body?: unknown; token?: string; raw?: string | Buffer; headers?: Record<string, string> } = {},
  ): Promise<ApiReply<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | Buffer | undefined;
    if (opts.raw !== undefined) {
      body = opts.raw;
      headers['content-type'] ??= 'application/json';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(this.base + path, { method, headers, body: body as BodyInit | undefined });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = any>(path: string, token?: string) {
    return this.req<T>('GET', path, { token });
  }
  post<T = any>(path: string, body?: unknown, token?: string) {
    return this.req<T>('POST', path, { body: body ?? {}, token });
  }
  patch<T = any>(path: string, body: unknown, token?: string) {
    return this.req<T>('PATCH', path, { body, token });
  }
  put<T = any>(path: string, body?: unknown, token?: string) {
    return this.req<T>('PUT', path, { body: body ?? {}, token });
  }
  delete<T = any>(path: string, token?: string) {
    return this.req<T>('DELETE', path, { token });
  }
}

let counter = 0;
/** Registers a user with a unique name; returns the user, its token and the password. */
export async function registerUser(api: ApiClient, name = 'user', extra: Record<string, unknown> = {}) {
  const username = `${name}${Date.now().toString(36)}${(counter++).toString(36)}`.slice(0, 32);
  const password = 'correct horse battery';
  const r = await api.post('/api/v1/auth/register', { username, password, nickname: name, ...extra });
  if (r.status !== 201) throw new Error(`register failed: ${r.status} ${JSON.stringify(r.body)}`);
  return {
    user: r.body.user as { id: string; username: string; nickname: string },
    token: r.body.token as string,
    password,
    username,
  };
}
