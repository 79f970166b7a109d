import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import { createMetrics } from '../../src/metrics.js';
import { packageVersion } from '../../src/version.js';
import { testDialects } from '../support/databases.js';
import { type Sample, parseExposition, sampleValue } from '../support/prom-text.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { befriend } from '../support/social-fixtures.js';
import { RawSocket, until } from '../support/ws-clients.js';

async function scrape(s: TestServer): Promise<Sample[]> {
  const r = await fetch(`${s.url}/metrics`);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await r.text());
}

const refusals = (m: Sample[], code: string, transport: string) =>
  sampleValue(m, 'parley_refusals_total', { code, transport }) ?? 0;

describe('the exposition check', () => {
  it('refuses malformed expositions, so a passing scrape means something', () => {
    const ok = '# HELP a_total x\n# TYPE a_total counter\na_total{k="v"} 1\n';
    expect(parseExposition(ok)).toEqual([{ name: 'a_total', labels: { k: 'v' }, value: 1 }]);
    for (const bad of [
      'a_total 1\n', // undeclared family
      '# TYPE a_total counter\na_total{k=v} 1\n', // unquoted label
      '# TYPE a_total counter\na_total{k="v"} one\n', // not a number
      '# TYPE a_total counter\na_total 1\na_total 2\n', // duplicate
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 1\n', // not cumulative
      '# TYPE h histogram\nh_bucket{le="1"} 1\nh_count 1\nh_sum 1\n', // no +Inf
      '# TYPE a_total counter\na_total 1', // no final newline
    ])
      expect(() => parseExposition(bad), bad).toThrow();
  });
});

describe('the metrics list in docs/operations.md', () => {
  it('names every parley_* metric the server exports, and no other', async () => {
    const exported = (await createMetrics().registry.getMetricsAsJSON())
      .map((x) => x.name)
      .filter((n) => n.startsWith('parley_'));
    const doc = fs.readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
    const documented = [...new Set([...doc.matchAll(/`(parley_[a-z_]+)`/g)].map((x) => x[1]!))];
    expect(documented.sort()).toEqual(exported.sort());
  });
});

describe.each(testDialects())('metrics on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ dialect, config: { dbPoolSize: 1 } });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('names the build: version, Node version and the commit', async () => {
    const m = await scrape(s);
    const info = m.filter((x) => x.name === 'parley_build_info');
    expect(info).toHaveLength(1);
    const git = spawnSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
    expect(info[0]!.labels).toEqual({ version: packageVersion(), node_version: process.version, commit: git });
    expect(info[0]!.value).toBe(1);
  });

  it('counts refusals by error code and transport, REST and WebSocket', async () => {
    const a = await registerUser(s.api, 'ra');
    const stranger = await registerUser(s.api, 'rs');
    const before = await scrape(s);

    expect((await s.api.get('/api/v1/me')).status).toBe(401);
    expect((await s.api.get('/api/v1/me', 'x'.repeat(43))).status).toBe(401);
    expect((await s.api.get('/api/v1/nope')).status).toBe(404);
    expect((await s.api.req('POST', '/api/v1/auth/login', { raw: '{"oops' })).status).toBe(400);

    await expect(RawSocket.open(s.url, { headers: { origin: 'https://evil.example' } })).rejects.toMatchObject({
      status: 403,
    });
    const ws = await RawSocket.open(s.url, { token: a.token });
    await ws.next((f) => f.type === 'ready');
    ws.send({ type: 'explode' });
    const unknown = await ws.next((f) => f.type === 'error');
    ws.send({ type: 'send', clientId: 'r1', to: dmId(a.user.id, stranger.user.id), kind: 'text', text: 'hi' });
    const denied = await ws.next((f) => f.type === 'error');
    ws.close();

    const after = await scrape(s);
    const delta = (code: string, transport: string) =>
      refusals(after, code, transport) - refusals(before, code, transport);
    expect(delta('UNAUTHENTICATED', 'rest')).toBe(2);
    expect(delta('ROUTE_NOT_FOUND', 'rest')).toBe(1);
    expect(delta('INVALID_JSON', 'rest')).toBe(1);
    expect(delta('FORBIDDEN', 'ws')).toBe(1);
    const u = (unknown as { code: string }).code;
    const d = (denied as { code: string }).code;
    expect(u).toBe('UNKNOWN_FRAME');
    expect(delta(u, 'ws')).toBe(1);
    expect(delta(d, 'ws')).toBe(d === u ? 2 : 1);
    // Nothing counted under the other transport.
    expect(delta('UNAUTHENTICATED', 'ws')).toBe(0);
    expect(delta('UNKNOWN_FRAME', 'rest')).toBe(0);
  });

  it('observes send → ack latency on both transports', async () => {
    const a = await registerUser(s.api, 'la');
    const b = await registerUser(s.api, 'lb');
    await befriend(s.app, a.user.id, b.user.id);
    const dm = dmId(a.user.id, b.user.id);
    const before = await scrape(s);
    const count = (m: Sample[], t: string) => sampleValue(m, 'parley_send_ack_seconds_count', { transport: t }) ?? 0;
    const sum = (m: Sample[], t: string) => sampleValue(m, 'parley_send_ack_seconds_sum', { transport: t }) ?? 0;

    const r = await s.api.post(
      `/api/v1/conversations/${dm}/messages`,
      { clientId: 'l1', kind: 'text', text: 'x' },
      a.token,
    );
    expect(r.status).toBe(201);
    const ws = await RawSocket.open(s.url, { token: a.token });
    await ws.next((f) => f.type === 'ready');
    for (const id of ['l2', 'l3']) {
      ws.send({ type: 'send', clientId: id, to: dm, kind: 'text', text: id });
      await ws.next((f) => f.type === 'ack' && (f as { clientId?: string }).clientId === id);
    }
    ws.close();

    const after = await scrape(s);
    expect(count(after, 'rest') - count(before, 'rest')).toBe(1);
    expect(count(after, 'ws') - count(before, 'ws')).toBe(2);
    expect(sum(after, 'rest')).toBeGreaterThan(sum(before, 'rest'));
    expect(sum(after, 'ws')).toBeGreaterThan(sum(before, 'ws'));
  });

  it('shows the bus healthy, with no reconnect on a node that never lost it', async () => {
    const m = await scrape(s);
    expect(sampleValue(m, 'parley_bus_healthy')).toBe(1);
    expect(sampleValue(m, 'parley_bus_reconnects_total')).toBe(0);
  });
});

// A server of its own: on a shared one, the earlier tests' closed sockets go offline a moment
// later (last seen is recorded then), and those writes would queue behind the held connection too.
describe.each(testDialects())('database pool metrics on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ dialect, config: { dbPoolSize: 1 } });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('shows database pool use, and a query waiting for the connection', async () => {
    const db = s.app.store.conn.db;
    const waitingOf = (m: Sample[]) =>
      dialect === 'sqlite' ? sampleValue(m, 'parley_sqlite_writer_queue') : sampleValue(m, 'parley_db_pool_waiting');
    const idle = await scrape(s);
    expect(waitingOf(idle)).toBe(0);
    if (dialect === 'sqlite') {
      expect(idle.some((x) => x.name === 'parley_db_pool_connections')).toBe(false);
    } else {
      expect(sampleValue(idle, 'parley_db_pool_connections', { state: 'total' })).toBe(1);
      expect(sampleValue(idle, 'parley_db_pool_connections', { state: 'idle' })).toBe(1);
    }

    // A transaction holds the one connection (SQLite: the writer); a write behind it waits.
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let entered!: () => void;
    const inside = new Promise<void>((r) => {
      entered = r;
    });
    const tx = db.transaction().execute(async (trx) => {
      await sql`update users set nickname = nickname where id = 'none'`.execute(trx);
      entered();
      await held;
    });
    await inside;
    const behind = sql`update users set nickname = nickname where id = 'none'`.execute(db);
    let busy: Sample[] = [];
    await until(
      async () => {
        busy = await scrape(s);
        return waitingOf(busy) === 1;
      },
      10_000,
      'the write behind the transaction to show as waiting',
    );
    if (dialect !== 'sqlite') {
      expect(sampleValue(busy, 'parley_db_pool_connections', { state: 'total' })).toBe(1);
      expect(sampleValue(busy, 'parley_db_pool_connections', { state: 'idle' })).toBe(0);
    }
    release();
    await tx;
    await behind;
    expect(waitingOf(await scrape(s))).toBe(0);
  });
});
