import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisBus } from '../../src/bus/redis-bus.js';
import { parseExposition, sampleValue } from '../support/prom-text.js';
import { RedisServer } from '../support/redis-server.js';
import { type TestServer, startServer } from '../support/server.js';
import { until } from '../support/ws-clients.js';

/** Bus health and reconnects in /metrics, through a real Redis outage (a private redis-server). */
describe('bus metrics over Redis', () => {
  let redis: RedisServer;
  let s: TestServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
    s = await startServer({ config: { redis: redis.url, redisPrefix: 'metrics:', redisTimeout: 1000 } });
  });
  afterAll(async () => {
    await s?.close();
    await redis?.stop();
  });

  const scrape = async () => parseExposition(await (await fetch(`${s.url}/metrics`)).text());

  it('shows the bus unhealthy during an outage and counts the reconnect after it', async () => {
    const bus = s.app.bus as RedisBus;
    await bus.whenHealthy(10_000);
    let m = await scrape();
    expect(sampleValue(m, 'parley_bus_healthy')).toBe(1);
    expect(sampleValue(m, 'parley_bus_reconnects_total')).toBe(0);

    await redis.crash();
    await until(() => !s.app.bus.healthy, 10_000, 'the bus to notice the outage');
    m = await scrape();
    expect(sampleValue(m, 'parley_bus_healthy')).toBe(0);
    expect(sampleValue(m, 'parley_bus_reconnects_total')).toBe(0);

    await redis.restart();
    await bus.whenHealthy(15_000);
    m = await scrape();
    expect(sampleValue(m, 'parley_bus_healthy')).toBe(1);
    expect(sampleValue(m, 'parley_bus_reconnects_total')).toBe(1);
  }, 45_000);
});
