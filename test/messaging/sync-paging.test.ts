import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationSummary, SyncDoneFrame } from '@parley/client';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { createGroup } from '../support/social-fixtures.js';
import { RawSocket, connectClient } from '../support/ws-clients.js';

const GROUPS = 600;
const SLOW_CONSUMER = 32 * 1024;

/**
 * A user in 600 groups, each with a long last message, reconnects with a small slow-consumer
 * limit: every summary arrives, over `sync.done` pages none of which is near the limit, and the
 * socket is not closed 4009 (one unpaged `sync.done` is about 1.5 MB here).
 */
describe.each(testDialects())('paged sync.done on %s', (dialect) => {
  let s: TestServer;
  let member: Awaited<ReturnType<typeof registerUser>>;
  const cids: string[] = [];
  beforeAll(async () => {
    s = await startServer({
      dialect,
      config: { slowConsumerBytes: SLOW_CONSUMER, messageRate: 100_000, messageBurst: 100_000, textLimit: 4000 },
    });
    const owner = await registerUser(s.api, 'own');
    member = await registerUser(s.api, 'many');
    for (let i = 0; i < GROUPS; i++) cids.push((await createGroup(s.app, owner.user.id, [member.user.id])).cid);
    const text = 'é'.repeat(1200);
    for (let i = 0; i < GROUPS; i += 50)
      await Promise.all(
        cids
          .slice(i, i + 50)
          .map((to, j) =>
            s.app.services.messaging.send(owner.user.id, { clientId: `m${i + j}`, to, kind: 'text', text }, 'rest'),
          ),
      );
  }, 300_000);
  afterAll(async () => {
    await s?.close();
  });

  it.each(['json', 'msgpack'] as const)(
    '%s: every summary arrives in pages under the limit, and the socket stays open',
    async (codec) => {
      const raw = await RawSocket.open(s.url, { token: member.token, codec });
      const sizes: number[] = [];
      raw.ws.on('message', (d: Buffer) => sizes.push(d.length));
      await raw.next((f) => f.type === 'ready');
      // Nothing listed: every group is streamed from its start and summarized in sync.done.
      raw.send({ type: 'sync', events: 0 });
      const pages: SyncDoneFrame[] = [];
      for (;;) {
        const p = await raw.next<SyncDoneFrame>((f) => f.type === 'sync.done', 60_000);
        pages.push(p);
        if (!p.more) break;
      }
      expect(raw.closed).toBeUndefined();
      expect(Math.max(...sizes)).toBeLessThanOrEqual(SLOW_CONSUMER / 2);
      const got = pages.flatMap((p) => p.conversations.map((c: ConversationSummary) => c.id));
      expect(new Set(got).size).toBe(GROUPS);
      expect(got.sort()).toEqual([...cids].sort());
      expect(pages.length).toBeGreaterThan(1);
      expect(pages.slice(0, -1).every((p) => p.more === true)).toBe(true);
      raw.close();
    },
    120_000,
  );

  it('the protocol client gathers the pages and reports one catch-up with every conversation', async () => {
    const seen: string[] = [];
    let synced = 0;
    const c = await connectClient(s.url, member.token, 'msgpack', {}, (cl) => {
      cl.on('conversation', (x) => seen.push(x.id));
      cl.on('synced', (f) => {
        synced++;
        expect(f.conversations).toHaveLength(GROUPS);
      });
    });
    expect(synced).toBe(1);
    expect(new Set(seen).size).toBe(GROUPS);
    c.close();
  }, 120_000);
});
