import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { testDialects } from '../support/databases.js';

/** The HTTP status a WebSocket upgrade to `url` gets (101 = accepted). */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

describe.each(testDialects())('PARLEY_ROLE (%s)', (dialect) => {
  let api: TestServer, gateway: TestServer;
  beforeAll(async () => {
    api = await startServer({ dialect, config: { role: 'api' } });
    gateway = await startServer({ db: api.db, config: { role: 'gateway' } });
  });
  afterAll(async () => {
    await gateway?.close();
    await api?.close();
  });

  it('exposes the role switches', () => {
    expect([api.app.serveApi, api.app.serveWs]).toEqual([true, false]);
    expect([gateway.app.serveApi, gateway.app.serveWs]).toEqual([false, true]);
  });

  it('api: serves REST and refuses WebSocket upgrades with 421', async () => {
    const u = await registerUser(api.api, 'roleapi');
    expect((await api.api.get('/api/v1/me', u.token)).status).toBe(200);
    expect(await upgradeStatus(api.url)).toBe(421);
    // The node keeps serving after refusing an upgrade.
    expect((await api.api.get('/healthz')).status).toBe(200);
  });

  it('gateway: answers ops routes and refuses REST with MISDIRECTED', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) expect((await gateway.api.get(path)).status).toBe(200);
    for (const [method, path] of [
      ['POST', '/api/v1/auth/login'],
      ['GET', '/api/v1/me'],
      ['GET', '/api/v1/docs'],
      ['GET', '/api/v1/openapi.json'],
    ] as const) {
      const r = await gateway.api.req(method, path, method === 'POST' ? { body: { login: 'x', password: 'y' } } : {});
      expect(r.status, path).toBe(421);
      expect(r.body.error.code).toBe('MISDIRECTED');
    }
  });

  it('all (the default): serves REST', async () => {
    const all = await startServer({ db: api.db });
    try {
      expect([all.app.serveApi, all.app.serveWs]).toEqual([true, true]);
      const u = await registerUser(all.api, 'roleall');
      expect((await all.api.get('/api/v1/me', u.token)).status).toBe(200);
    } finally {
      await all.close();
    }
  });
});
