import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import type { ParleyClient, SyncBatchFrame, SyncDoneFrame } from '@parley/client';
import { appendUserEvents } from '../../src/store/log.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { befriend, createGroup } from '../support/social-fixtures.js';
import { RawSocket, connectClient, until } from '../support/ws-clients.js';

describe.each(testDialects())('sync on %s', (dialect) => {
  let s: TestServer;
  const open: ParleyClient[] = [];
  beforeAll(async () => {
    s = await startServer({ dialect, config: { messageRate: 10_000, messageBurst: 10_000, retention: 3_600_000 } });
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await s?.close();
  });

  it.each(['json', 'msgpack'] as const)(
    'bounded batches, unlisted conversations, events since the cursor (%s)',
    async (codec) => {
      const a = await registerUser(s.api, 'a');
      const b = await registerUser(s.api, 'b');
      await befriend(s.app, a.user.id, b.user.id);
      const dm = dmId(a.user.id, b.user.id);
      const { cid: gid } = await createGroup(s.app, b.user.id, [a.user.id]);
      const ca = await connectClient(s.url, a.token, codec);
      open.push(ca);
      for (let i = 0; i < 12; i++) await ca.send({ to: dm, kind: 'text', text: `d${i}` });
      await ca.send({ to: gid, kind: 'text', text: 'g0' });
      await s.app.store.conn.db
        .transaction()
        .execute((trx) => appendUserEvents(trx, [b.user.id], 'contact.request', { from: a.user.id }, Date.now()));

      const raw = await RawSocket.open(s.url, { token: b.token, codec });
      await raw.next((f) => f.type === 'ready');
      raw.send({ type: 'sync', conversations: { [dm]: 4 }, events: 0, limit: 3 });
      const done = await raw.next<SyncDoneFrame>((f) => f.type === 'sync.done');
      const batches = raw.frames.filter((f): f is SyncBatchFrame => f.type === 'sync.batch');
      const dmBatches = batches.filter((f) => f.conversation === dm);
      expect(dmBatches.map((f) => f.entries.map((e) => e.seq))).toEqual([
        [5, 6, 7],
        [8, 9, 10],
        [11, 12],
      ]);
      expect(dmBatches.map((f) => f.more)).toEqual([true, true, false]);
      // The group was not listed: streamed from the start and summarized.
      expect(batches.filter((f) => f.conversation === gid).flatMap((f) => f.entries.map((e) => e.text))).toEqual([
        'g0',
      ]);
      expect(done.conversations.map((c) => c.id)).toEqual([gid]);
      expect(done.events.map((e) => e.kind)).toEqual(['contact.request']);
      expect(done.cursor).toBe(done.events[0]!.seq);
      raw.frames.length = 0;
      raw.send({ type: 'sync', conversations: { [dm]: 12, [gid]: 1 }, events: done.cursor });
      const again = await raw.next<SyncDoneFrame>((f) => f.type === 'sync.done');
      expect(again.events).toEqual([]);
      expect(raw.frames.filter((f) => f.type === 'sync.batch')).toEqual([]);
      raw.close();

      // A fresh device (no cursor) gets the current cursor and no old events.
      const cb = await connectClient(s.url, b.token, codec);
      open.push(cb);
      expect(cb.cursor).toBe(done.cursor);
      expect(cb.lastSeq(dm)).toBe(12);
      expect(cb.lastSeq(gid)).toBe(1);
    },
  );

  it('retention: the sweep removes old entries and sync answers reset with the first seq kept', async () => {
    const a = await registerUser(s.api, 'a');
    const b = await registerUser(s.api, 'b');
    await befriend(s.app, a.user.id, b.user.id);
    const dm = dmId(a.user.id, b.user.id);
    const ca = await connectClient(s.url, a.token);
    open.push(ca);
    for (let i = 0; i < 6; i++) await ca.send({ to: dm, kind: 'text', text: `r${i}` });
    // Age the first four past the retention (1 h), then sweep.
    await s.app.store.conn.db
      .updateTable('entries')
      .set({ created_at: Date.now() - 2 * 3_600_000 })
      .where('conversation_id', '=', dm)
      .where('seq', '<=', 4)
      .execute();
    expect(await s.app.services.messaging.sweepRetention()).toBeGreaterThanOrEqual(4);
    const raw = await RawSocket.open(s.url, { token: b.token });
    await raw.next((f) => f.type === 'ready');
    raw.send({ type: 'sync', conversations: { [dm]: 1 } });
    const batch = await raw.next<SyncBatchFrame>((f) => f.type === 'sync.batch');
    expect(batch).toMatchObject({ conversation: dm, reset: 5, more: false });
    expect(batch.entries.map((e) => e.seq)).toEqual([5, 6]);
    raw.close();
    const h = await s.api.get(`/api/v1/conversations/${dm}/messages`, b.token);
    expect(h.body.items.map((e: any) => e.seq)).toEqual([5, 6]);
    const resets: number[] = [];
    const cb = await connectClient(s.url, b.token, 'json', { state: { conversations: { [dm]: 2 } } }, (c) =>
      c.on('reset', (r) => resets.push(r.firstSeq)),
    );
    open.push(cb);
    expect(resets).toEqual([5]);
    expect(cb.lastSeq(dm)).toBe(6);
  });

  it('a live entry that arrives ahead of a gap is held until sync fills the gap', async () => {
    const a = await registerUser(s.api, 'a');
    const b = await registerUser(s.api, 'b');
    await befriend(s.app, a.user.id, b.user.id);
    const dm = dmId(a.user.id, b.user.id);
    const cb = await connectClient(s.url, b.token);
    open.push(cb);
    const seen: number[] = [];
    cb.on('message', (e) => seen.push(e.seq));
    // Commit two entries without publishing them (as if the bus dropped them), then one live.
    const w = s.app.services.messaging.writer;
    await w.append({
      conversationId: dm,
      conversationKind: 'dm',
      members: [a.user.id, b.user.id],
      senderId: a.user.id,
      clientId: 'hidden-1',
      kind: 'text',
      body: { text: 'h1' },
    });
    await w.append({
      conversationId: dm,
      conversationKind: 'dm',
      senderId: a.user.id,
      clientId: 'hidden-2',
      kind: 'text',
      body: { text: 'h2' },
    });
    const ca = await connectClient(s.url, a.token);
    open.push(ca);
    await ca.send({ to: dm, kind: 'text', text: 'live' });
    await until(() => seen.length === 3, 5000, 'gap repair');
    expect(seen).toEqual([1, 2, 3]);
  });
});
