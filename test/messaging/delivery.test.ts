import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import type { ParleyClient } from '@parley/client';
import { testDialects } from '../support/databases.js';
import { DeliveryChecker } from '../support/delivery-checker.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { befriend, createGroup } from '../support/social-fixtures.js';
import { connectClient, until } from '../support/ws-clients.js';

const codecs = ['json', 'msgpack'] as const;

describe.each(testDialects())('delivery on %s', (dialect) => {
  let s: TestServer;
  const open: ParleyClient[] = [];
  beforeAll(async () => {
    s = await startServer({ dialect, config: { messageRate: 10_000, messageBurst: 10_000 } });
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await s?.close();
  });
  const track = (c: ParleyClient) => (open.push(c), c);

  it.each(codecs)(
    'offline delivery: 50 messages (DM and group) arrive once, in order, after connect+sync (%s)',
    async (codec) => {
      const a = await registerUser(s.api, 'a');
      const b = await registerUser(s.api, 'b');
      const c = await registerUser(s.api, 'c');
      await befriend(s.app, a.user.id, b.user.id);
      const { cid: gid } = await createGroup(s.app, a.user.id, [b.user.id, c.user.id]);
      const dm = dmId(a.user.id, b.user.id);
      const checker = new DeliveryChecker();
      const ca = track(await connectClient(s.url, a.token, codec, {}, (x) => checker.attach('a1', a.user.id, x)));
      const acks = [];
      for (let i = 0; i < 50; i++)
        acks.push(await ca.send({ to: i % 3 === 0 ? gid : dm, kind: 'text', text: `m${i}` }));
      expect(acks.filter((x) => x.conversation === dm).map((x) => x.seq)).toEqual(
        Array.from({ length: 33 }, (_, i) => i + 1),
      );
      expect(acks.filter((x) => x.conversation === gid).map((x) => x.seq)).toEqual(
        Array.from({ length: 17 }, (_, i) => i + 1),
      );

      // B was offline the whole time: two devices of B connect now; C too.
      const texts: string[] = [];
      const cb1 = track(
        await connectClient(s.url, b.token, codec, {}, (x) => {
          checker.attach('b1', b.user.id, x);
          x.on('message', (e) => texts.push(e.text!));
        }),
      );
      const cb2 = track(
        await connectClient(s.url, b.token, codec === 'json' ? 'msgpack' : 'json', {}, (x) =>
          checker.attach('b2', b.user.id, x),
        ),
      );
      const cc = track(await connectClient(s.url, c.token, codec, {}, (x) => checker.attach('c1', c.user.id, x)));
      const members = { [dm]: [a.user.id, b.user.id], [gid]: [a.user.id, b.user.id, c.user.id] };
      await checker.settle(members);
      checker.verify(members);
      expect(texts.filter((t) => t.startsWith('m'))).toHaveLength(50);
      expect(new Set(texts).size).toBe(50);

      // Live now: a message reaches all devices, the sender's own included, once.
      await cb1.send({ to: gid, kind: 'text', text: 'live' });
      await checker.settle(members);
      checker.verify(members);
      expect(checker.received('a1', gid)).toHaveLength(18);
      [cb2, cc].forEach((x) => expect(x.state).toBe('online'));
    },
  );

  it('the first messages of a conversation the client has never seen arrive live, without a repair sync', async () => {
    const a = await registerUser(s.api, 'a');
    const b = await registerUser(s.api, 'b');
    // A repair sync would take a minute: only a live hand-over can pass this test.
    const slowRepair = { gapDelayMs: 60_000 };
    const ca = track(await connectClient(s.url, a.token, 'json', slowRepair));
    const got: string[] = [];
    const cb = track(
      await connectClient(s.url, b.token, 'json', slowRepair, (x) =>
        x.on('message', (e) => got.push(`${e.conversation}:${e.seq}:${e.text}`)),
      ),
    );
    await befriend(s.app, a.user.id, b.user.id);
    const dm = dmId(a.user.id, b.user.id);
    await ca.send({ to: dm, kind: 'text', text: 'first' });
    await ca.send({ to: dm, kind: 'text', text: 'second' });
    await until(() => got.length >= 2, 3000, 'two live messages');
    expect(got).toEqual([`${dm}:1:first`, `${dm}:2:second`]);
    expect(cb.state).toBe('online');
  });

  it.each(codecs)('drop the socket mid-burst and reconnect: exactly the missing ones arrive (%s)', async (codec) => {
    const a = await registerUser(s.api, 'a');
    const b = await registerUser(s.api, 'b');
    await befriend(s.app, a.user.id, b.user.id);
    const dm = dmId(a.user.id, b.user.id);
    const checker = new DeliveryChecker();
    const ca = track(await connectClient(s.url, a.token, codec, {}, (x) => checker.attach('a', a.user.id, x)));
    const cb = track(await connectClient(s.url, b.token, codec, {}, (x) => checker.attach('b', b.user.id, x)));
    const sends = [];
    for (let i = 0; i < 40; i++) {
      sends.push(ca.send({ to: dm, kind: 'text', text: `x${i}` }));
      if (i === 12) {
        // B has part of the burst when its socket drops.
        await until(() => checker.received('b', dm).length >= 5, 5000, 'b receives some');
        cb.drop();
      }
      if (i === 25) ca.drop(); // the sender's unacked sends are resent with the same clientId
    }
    const acks = await Promise.all(sends);
    expect(new Set(acks.map((x) => x.seq)).size).toBe(40);
    await until(() => cb.state === 'online' && ca.state === 'online', 5000, 'reconnect');
    const members = { [dm]: [a.user.id, b.user.id] };
    await checker.settle(members);
    checker.verify(members);
    const rows = await s.app.store.conn.db
      .selectFrom('entries')
      .select('seq')
      .where('conversation_id', '=', dm)
      .execute();
    expect(rows).toHaveLength(40);
  });
});
