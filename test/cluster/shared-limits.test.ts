import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rate } from '../../src/config-spec.js';
import type { Config } from '../../src/config.js';
import { testDialects } from '../support/databases.js';
import { RedisServer } from '../support/redis-server.js';
import { type TestServer, startServer } from '../support/server.js';

/** The abuse limits live in the shared RateLimiter: two nodes on one Redis spend one budget. */
describe.each(testDialects())('abuse limits across nodes (%s)', (dialect) => {
  let redis: RedisServer;
  let a: TestServer, b: TestServer;
  const cfg = (nodeId: string): Partial<Config> => ({
    redis: redis.url,
    redisPrefix: 'limits:',
    nodeId,
    registerRate: rate('4/1h'),
    lookupRate: rate('3/1m'),
  });
  beforeAll(async () => {
    redis = await RedisServer.start();
    a = await startServer({ dialect, config: cfg('node-a') });
    b = await startServer({ db: a.db, config: cfg('node-b') });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await redis?.stop();
  });

  const signUp = (s: TestServer, i: number) =>
    s.api.post('/api/v1/auth/register', { username: `shared${i}`, password: 'correct horse battery', nickname: 's' });

  it('registrations from one address: two on each node use up the budget of both', async () => {
    expect((await signUp(a, 1)).status).toBe(201);
    expect((await signUp(b, 2)).status).toBe(201);
    expect((await signUp(a, 3)).status).toBe(201);
    expect((await signUp(b, 4)).status).toBe(201);
    for (const s of [a, b]) {
      const r = await signUp(s, 5);
      expect(r.status).toBe(429);
      expect(r.body.error.code).toBe('RATE_LIMITED');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
  });

  it('lookups of one user: alternating nodes, the fourth is refused', async () => {
    // The registration budget is spent: log in as one of the users made above.
    const login = await a.api.post('/api/v1/auth/login', { login: 'shared1', password: 'correct horse battery' });
    expect(login.status).toBe(200);
    const token = login.body.token as string;
    const got = [];
    for (const s of [a, b, a, b]) got.push((await s.api.get('/api/v1/users?q=shared2', token)).status);
    expect(got).toEqual([200, 200, 200, 429]);
  });
});
