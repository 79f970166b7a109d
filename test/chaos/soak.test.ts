import { afterAll, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import type { ParleyClient } from '@parley/client';
import { testDialects } from '../support/databases.js';
import { DeliveryChecker } from '../support/delivery-checker.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { befriend, createGroup } from '../support/social-fixtures.js';
import { connectClient } from '../support/ws-clients.js';

/** Soak length: 75 s in CI, 15 s locally unless asked (`PARLEY_SOAK_SECONDS`). */
const SECONDS = Number(process.env.PARLEY_SOAK_SECONDS ?? (process.env.CI ? 75 : 15));
const RATE = Number(process.env.PARLEY_SOAK_RATE ?? 100); // messages per second, all senders together
const USERS = 24;

describe.each(testDialects())('soak on %s', (dialect) => {
  let s: TestServer;
  const clients: ParleyClient[] = [];
  afterAll(async () => {
    for (const c of clients) c.close();
    await s?.close();
  });

  it(
    `${RATE} messages/s for ${SECONDS} s with random socket drops: zero lost, zero duplicated`,
    async () => {
      s = await startServer({ dialect, config: { messageRate: 100_000, messageBurst: 100_000 } });
      const users = [];
      for (let i = 0; i < USERS; i++) users.push(await registerUser(s.api, `soak${i}`));
      // Two groups (everyone in the first, half in the second) and a ring of friends for DMs.
      const g1 = await createGroup(
        s.app,
        users[0]!.user.id,
        users.slice(1).map((u) => u.user.id),
      );
      const g2 = await createGroup(
        s.app,
        users[1]!.user.id,
        users.slice(2, USERS / 2).map((u) => u.user.id),
      );
      const members: Record<string, string[]> = {
        [g1.cid]: users.map((u) => u.user.id),
        [g2.cid]: users.slice(1, USERS / 2).map((u) => u.user.id),
      };
      const targets: string[][] = users.map(() => [g1.cid]);
      for (let i = 1; i < USERS / 2; i++) targets[i]!.push(g2.cid);
      for (let i = 0; i < USERS; i++) {
        const a = users[i]!;
        const b = users[(i + 1) % USERS]!;
        await befriend(s.app, a.user.id, b.user.id);
        const dm = dmId(a.user.id, b.user.id);
        members[dm] = [a.user.id, b.user.id];
        targets[i]!.push(dm);
        targets[(i + 1) % USERS]!.push(dm);
      }
      const checker = new DeliveryChecker();
      // Two devices per user, one per codec.
      for (const [i, u] of users.entries()) {
        for (const codec of ['json', 'msgpack'] as const) {
          clients.push(
            await connectClient(s.url, u.token, codec, { backoffInitialMs: 100, backoffMaxMs: 1000 }, (c) =>
              checker.attach(`u${i}-${codec}`, u.user.id, c),
            ),
          );
        }
      }

      const sends: Promise<unknown>[] = [];
      let sent = 0;
      let drops = 0;
      const end = Date.now() + SECONDS * 1000;
      const tick = 50;
      let rng = 12345;
      const rand = () => (rng = (rng * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      while (Date.now() < end) {
        const started = Date.now();
        for (let k = 0; k < (RATE * tick) / 1000; k++) {
          const i = Math.floor(rand() * clients.length);
          const c = clients[i]!;
          const mine = targets[Math.floor(i / 2)]!;
          sends.push(c.send({ to: mine[Math.floor(rand() * mine.length)]!, kind: 'text', text: `m${sent++}` }));
        }
        // About one dropped socket a second, at random: sends in flight must survive it.
        if (rand() < tick / 1000) {
          clients[Math.floor(rand() * clients.length)]!.drop();
          drops++;
        }
        await new Promise((r) => setTimeout(r, Math.max(0, tick - (Date.now() - started))));
      }
      const results = await Promise.allSettled(sends);
      const refused = results.filter((r) => r.status === 'rejected');
      expect(refused.map((r) => String((r as PromiseRejectedResult).reason)).slice(0, 5)).toEqual([]);
      await checker.settle(members, 60_000);
      checker.verify(members);
      expect(checker.duplicates()).toEqual([]);
      const acked = Object.keys(members).reduce((n, cid) => n + checker.expected(cid).length, 0);
      expect(acked).toBe(sent);
      expect(drops).toBeGreaterThan(0);
      console.log(
        `soak: ${sent} messages over ${SECONDS} s, ${drops} socket drops, ${clients.length} devices: none lost, none twice`,
      );
    },
    (SECONDS + 120) * 1000,
  );
});
