import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import { testDialects } from '../support/databases.js';
import { RedisServer } from '../support/redis-server.js';
import { until } from '../support/redis.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { befriend, unfriend } from '../support/social-fixtures.js';

/**
 * Regression: an `api`-role node (REST only) must apply the authorization cache invalidations
 * of the cluster topic like a gateway does; it used to keep a friendship cached after another
 * node ended it, and let REST sends through.
 */
describe.each(testDialects())('api-role node and the authorization cache (%s)', (dialect) => {
  let redis: RedisServer;
  let all: TestServer, api: TestServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
    const cfg = { redis: redis.url, redisPrefix: 'role:', redisTimeout: 1000, presenceTtl: 1500 };
    all = await startServer({ dialect, config: { ...cfg, nodeId: 'all-1' } });
    api = await startServer({ db: all.db, config: { ...cfg, nodeId: 'api-1', role: 'api' } });
  });
  afterAll(async () => {
    await api?.close();
    await all?.close();
    await redis?.stop();
  });

  it('a friendship ended on another node stops REST sends on the api node', async () => {
    // No gateway at all on an api node: the cache follows the cluster through the messaging service.
    expect(api.app.gateway).toBeUndefined();
    const a = await registerUser(all.api, 'ra');
    const b = await registerUser(all.api, 'rb');
    await befriend(all.app, a.user.id, b.user.id);
    const cid = dmId(a.user.id, b.user.id);
    const send = (n: number) =>
      api.api.post(`/api/v1/conversations/${cid}/messages`, { clientId: `c${n}`, kind: 'text', text: 'hi' }, a.token);
    expect((await send(1)).status).toBe(201); // cached on the api node now
    await unfriend(all.app, a.user.id, b.user.id);
    await until(async () => (await send(2)).status === 403, 'the api node sees the friendship end', 3000);
    expect((await send(3)).body.error.code).toBe('NOT_FRIENDS');
  });
});
