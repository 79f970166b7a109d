import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../support/databases.js';
import { Nginx } from '../support/nginx.js';
import { RedisServer } from '../support/redis-server.js';
import { type TestServer, ApiClient, registerUser, startServer } from '../support/server.js';

/** The cluster script's nginx config in front of two real nodes: no stickiness, failover. */
describe.each(testDialects())('nodes behind nginx (%s)', (dialect) => {
  let redis: RedisServer;
  let a: TestServer, b: TestServer, lb: Nginx;
  beforeAll(async () => {
    redis = await RedisServer.start();
    const config = { redis: redis.url, trustProxy: true, secret: 's'.repeat(32) };
    a = await startServer({ dialect, config: { ...config, nodeId: 'a' } });
    b = await startServer({ db: a.db, config: { ...config, nodeId: 'b' } });
    lb = await Nginx.start([a.url, b.url].map((u) => new URL(u).host));
  });
  afterAll(async () => {
    await lb?.stop();
    await b?.close();
    await a?.close();
    await redis?.stop();
  });

  const served = (s: TestServer) =>
    s.logs.lines.filter((l) => l.includes('"url":"/api/v1/me"') && l.includes('incoming request')).length;

  it('spreads requests over both nodes; a session made on one works on the other', async () => {
    const api = new ApiClient(lb.url);
    expect((await api.get('/readyz')).status).toBe(200);
    const u = await registerUser(api, 'lb');
    for (let i = 0; i < 10; i++) expect((await api.get('/api/v1/me', u.token)).status).toBe(200);
    expect(served(a)).toBeGreaterThan(0);
    expect(served(b)).toBeGreaterThan(0);
    expect(served(a) + served(b)).toBe(10);
  });

  it('keeps serving through the balancer when a node stops', async () => {
    const api = new ApiClient(lb.url);
    const u = await registerUser(api, 'lbfail');
    await b.app.close();
    for (let i = 0; i < 6; i++) expect((await api.get('/api/v1/me', u.token)).status).toBe(200);
  });
});
