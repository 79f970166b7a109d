import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ParleyClient, type WebSocketCtor } from '@parley/client';
import { testDialects } from '../support/databases.js';
import { DeliveryChecker } from '../support/delivery-checker.js';
import { type App, createApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { FastHasher } from '../support/fast-hasher.js';
import { LogCapture, type TestServer, registerUser, startServer } from '../support/server.js';
import { createGroup } from '../support/social-fixtures.js';
import { until, wsUrl } from '../support/ws-clients.js';

/** Clients in the storm: 5,000 in CI, fewer locally unless asked (`PARLEY_CHAOS_CLIENTS`). */
const CLIENTS = Number(process.env.PARLEY_CHAOS_CLIENTS ?? (process.env.CI ? 5000 : 1000));
const DEVICES = 5; // per user (the per-user connection limit)
const GROUP_SIZE = 50;
const BEFORE = 3; // messages per group before the restart
const AFTER = 3; // and while everyone is reconnecting

/** A `ws` WebSocket bound to one 127.0.0.x source address, so the storm is not one client address. */
const boundTo = (addr: string): WebSocketCtor =>
  class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { localAddress: addr });
    }
  } as unknown as WebSocketCtor;

async function inBatches<T>(n: number, size: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += size)
    out.push(...(await Promise.all(Array.from({ length: Math.min(size, n - i) }, (_, k) => fn(i + k)))));
  return out;
}

describe.each(testDialects())('reconnect storm on %s', (dialect) => {
  let s: TestServer | undefined;
  const clients: ParleyClient[] = [];
  afterAll(async () => {
    for (const c of clients) c.close();
    await s?.close();
  });

  it(`${CLIENTS} clients reconnect at once after a restart (jittered backoff) and all catch up`, async () => {
    const config = {
      messageRate: 1_000_000,
      messageBurst: 1_000_000,
      connectionsPerUser: DEVICES,
      idleTimeout: 120_000,
    };
    s = await startServer({ dialect, config });
    const port = Number(new URL(s.url).port);
    const users = await inBatches(Math.ceil(CLIENTS / DEVICES), 8, (i) => registerUser(s!.api, `st${i}`));
    const groups: { cid: string; owner: (typeof users)[number]; members: string[] }[] = [];
    for (let i = 0; i < users.length; i += GROUP_SIZE) {
      const part = users.slice(i, i + GROUP_SIZE);
      const { cid } = await createGroup(
        s.app,
        part[0]!.user.id,
        part.slice(1).map((u) => u.user.id),
      );
      groups.push({ cid, owner: part[0]!, members: part.map((u) => u.user.id) });
    }
    const checker = new DeliveryChecker();
    const url = wsUrl(s.url);
    await inBatches(CLIENTS, 250, async (i) => {
      const u = users[Math.floor(i / DEVICES)]!;
      const c = new ParleyClient({
        urls: [url],
        token: u.token,
        WebSocket: boundTo(`127.0.0.${1 + (i % 250)}`),
        codec: i % 2 ? 'msgpack' : 'json',
        backoffInitialMs: 500,
        backoffMaxMs: 4000,
      });
      checker.attach(`c${i}`, u.user.id, c);
      clients.push(c);
      await c.connect();
      await c.synced();
    });
    const post = async (g: (typeof groups)[number], text: string) => {
      // A pooled HTTP connection to the stopped node fails once: resend, same clientId (deduplicated).
      const once = () =>
        s!.api.post(
          `/api/v1/conversations/${g.cid}/messages`,
          { clientId: `${text}-${g.cid}`, kind: 'text', text },
          g.owner.token,
        );
      const r = await once()
        .catch(() => once())
        .catch(() => once());
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      checker.stored(g.cid, [r.body.seq ?? r.body.entry.seq]);
    };
    for (let k = 0; k < BEFORE; k++) await Promise.all(groups.map((g) => post(g, `before${k}`)));

    // Restart on the same port and data: every socket is closed at once and every client
    // comes back through its own jittered backoff. The new node is built and booted before
    // the old one stops (the clients share this process, so their retries would otherwise
    // starve the boot; a real restart boots in its own process).
    const { db, dataDir } = s;
    const next: App = await createApp(testConfig({ db: db.url, dataDir, logLevel: 'warn', ...config, port }), {
      hasher: new FastHasher(),
      logDestination: new LogCapture(),
    });
    await next.http.ready();
    await s.app.close();
    const started = Date.now();
    await next.listen();
    s = { ...s, app: next, close: () => next.close() };
    for (let k = 0; k < AFTER; k++) await Promise.all(groups.map((g) => post(g, `after${k}`)));

    await until(() => clients.every((c) => c.state === 'online'), 90_000, 'every client online again');
    const members = Object.fromEntries(groups.map((g) => [g.cid, g.members]));
    await checker.settle(members, 60_000);
    checker.verify(members);
    expect(checker.duplicates()).toEqual([]);
    expect(checker.deviceCount).toBe(CLIENTS);
    expect(s.app.gateway!.hub.size).toBe(CLIENTS);
    console.log(
      `reconnect storm: ${CLIENTS} clients back and caught up ${((Date.now() - started) / 1000).toFixed(1)} s after the restart`,
    );
    for (const c of clients) c.close();
    clients.length = 0;
    await next.close();
    await db.drop();
    s = undefined;
  }, 240_000);
});
