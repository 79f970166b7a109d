import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.js';
import { DeliveryWriter } from '../../src/services/delivery-writer.js';
import type { Database } from '../../src/store/schema.js';
import type { KyselyStore, Store } from '../../src/store/store.js';
import { testDialects } from '../support/databases.js';
import { NOW, dmText, newDm, storesFor } from './store-setup.js';

/** Delivered positions, written in batches (the delivery writer's one transaction per window). */
describe.each(testDialects())('Store delivered positions on %s', (dialect) => {
  const stores = storesFor(dialect);
  const db = (s: Store) => (s as KyselyStore).conn.db as Kysely<Database>;
  const position = async (s: Store, cid: string, user: string) =>
    Number(
      (
        await db(s)
          .selectFrom('conversation_members')
          .select('delivered_seq')
          .where('conversation_id', '=', cid)
          .where('user_id', '=', user)
          .executeTakeFirst()
      )?.delivered_seq ?? -1,
    );

  it('moves many positions in one call, only forward, and says which moved', async () => {
    const s = stores.a();
    const dms = Array.from({ length: 150 }, () => newDm());
    for (const dm of dms) await s.entryLog.commit([dmText(dm, dm.users[0], 'hi')], NOW);
    const first = await s.receipts.markDelivered(
      dms.map((dm, i) => ({ conversationId: dm.cid, userId: dm.users[1], seq: 5 + i })),
      NOW,
    );
    expect(first).toEqual(dms.map((_, i) => ({ seq: 5 + i, moved: true })));
    // Later (higher) moves; late (lower or equal) reports change nothing and answer the stored one.
    const second = await s.receipts.markDelivered(
      [
        { conversationId: dms[0]!.cid, userId: dms[0]!.users[1], seq: 9 },
        { conversationId: dms[1]!.cid, userId: dms[1]!.users[1], seq: 2 },
        { conversationId: dms[2]!.cid, userId: dms[2]!.users[1], seq: 7 },
      ],
      NOW,
    );
    expect(second).toEqual([
      { seq: 9, moved: true },
      { seq: 6, moved: false },
      { seq: 7, moved: false },
    ]);
    expect(await position(s, dms[0]!.cid, dms[0]!.users[1])).toBe(9);
    expect(await position(s, dms[1]!.cid, dms[1]!.users[1])).toBe(6);
    expect(await position(s, dms[149]!.cid, dms[149]!.users[1])).toBe(154);
    // The sender's own row is untouched.
    expect(await position(s, dms[0]!.cid, dms[0]!.users[0])).toBe(0);
  });

  it('creates a missing member row', async () => {
    const s = stores.a();
    const dm = newDm();
    expect(await position(s, dm.cid, dm.users[1])).toBe(-1);
    expect(await s.receipts.markDelivered([{ conversationId: dm.cid, userId: dm.users[1], seq: 3 }], NOW)).toEqual([
      { seq: 3, moved: true },
    ]);
    expect(await position(s, dm.cid, dm.users[1])).toBe(3);
  });

  it('two nodes reporting the same pairs at once: each position moves to the highest, and one says so', async () => {
    const [a, b] = [stores.a(), stores.b()];
    const dms = Array.from({ length: 20 }, () => newDm());
    for (const dm of dms) await a.entryLog.commit([dmText(dm, dm.users[0], 'hi')], NOW);
    const marks = (seq: number) => dms.map((dm) => ({ conversationId: dm.cid, userId: dm.users[1], seq }));
    // The second node lists the pairs the other way round: rows are locked in key order, so no deadlock.
    const [x, yReversed] = await Promise.all([
      a.receipts.markDelivered(marks(4), NOW),
      b.receipts.markDelivered(marks(4).reverse(), NOW),
    ]);
    const y = [...yReversed].reverse();
    for (let i = 0; i < dms.length; i++) {
      expect([x[i]!.moved, y[i]!.moved].filter(Boolean)).toHaveLength(1);
      expect(await position(a, dms[i]!.cid, dms[i]!.users[1])).toBe(4);
    }
  });
});

describe.each(testDialects())('Delivery writer on %s', (dialect) => {
  const stores = storesFor(dialect);

  it('collapses the reports of one window into one transaction; the highest of a pair answers moved', async () => {
    const s = stores.a();
    const calls: number[] = [];
    const repo = {
      markDelivered: (items: Parameters<Store['receipts']['markDelivered']>[0], now: number) => {
        calls.push(items.length);
        return s.receipts.markDelivered(items, now);
      },
    };
    const writer = new DeliveryWriter(repo, systemClock, 5);
    const [p, q] = [newDm(), newDm()];
    for (const dm of [p, q]) await s.entryLog.commit([dmText(dm, dm.users[0], 'hi')], NOW);
    const out = await Promise.all([
      writer.mark({ conversationId: p.cid, userId: p.users[1], seq: 2 }),
      writer.mark({ conversationId: p.cid, userId: p.users[1], seq: 7 }),
      writer.mark({ conversationId: p.cid, userId: p.users[1], seq: 5 }),
      writer.mark({ conversationId: q.cid, userId: q.users[1], seq: 1 }),
    ]);
    expect(calls).toEqual([2]);
    expect(out).toEqual([
      { seq: 7, moved: false },
      { seq: 7, moved: true },
      { seq: 7, moved: false },
      { seq: 1, moved: true },
    ]);
    await writer.close();
  });
});
