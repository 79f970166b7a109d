import { type Kysely, Migrator } from 'kysely';
import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../../fixtures/databases.js';
import { groupConversationId } from '../../src/domain/conversation-id.js';
import { newId } from '../../src/domain/ids.js';
import { silentLogger } from '../../src/domain/logger.js';
import { SearchIndexer } from '../../src/services/search-indexer.js';
import { openDb } from '../../src/store/db.js';
import type { WriteItem } from '../../src/store/entry-log.js';
import { migrations } from '../../src/store/migrations.js';
import type { Database } from '../../src/store/schema.js';
import { IndexRaceError, postingsOf } from '../../src/store/search-index.js';
import type { KyselyStore, Store } from '../../src/store/store.js';
import { testDialects } from '../support/databases.js';
import { NOW, storesFor } from './store-setup.js';

/**
 * The search index's background writer on every dialect: passes move each conversation's
 * watermark and write exactly the postings of what they passed; edits and recalls re-index
 * their target; two nodes indexing the same conversation never write a posting twice.
 */
describe.each(testDialects())('Search index on %s', (dialect) => {
  const stores = storesFor(dialect);
  let t = NOW;
  const text = (cid: string, body: string, extra: Partial<WriteItem> = {}): WriteItem => ({
    conversationId: cid,
    conversationKind: 'group',
    senderId: 'sender',
    clientId: newId(),
    kind: 'text',
    body: { text: body },
    ...extra,
  });
  const commit = async (store: Store, items: WriteItem[]) => {
    t += 1000;
    return store.entryLog.commit(items, t);
  };
  const db = (s: Store) => (s as KyselyStore).conn.db as Kysely<Database>;
  /** Every posting of a conversation, as `seq:token`, sorted. */
  const postings = async (s: Store, cid: string) =>
    (await db(s).selectFrom('search_postings').select(['seq', 'token']).where('conversation_id', '=', cid).execute())
      .map((p) => `${Number(p.seq)}:${p.token}`)
      .sort();
  /** The postings the rows of a conversation should have now (current text, recalled: none). */
  const expected = async (s: Store, cid: string, upTo = Number.MAX_SAFE_INTEGER) =>
    (
      await db(s)
        .selectFrom('entries')
        .selectAll()
        .where('conversation_id', '=', cid)
        .where('seq', '<=', upTo)
        .execute()
    )
      .flatMap((r) => postingsOf(r))
      .map((p) => `${p.seq}:${p.token}`)
      .sort();
  const mark = async (s: Store, cid: string) =>
    Number(
      (
        await db(s)
          .selectFrom('search_progress')
          .select('indexed_seq')
          .where('conversation_id', '=', cid)
          .executeTakeFirst()
      )?.indexed_seq ?? 0,
    );

  it('indexes in passes from the watermark, each within its budget, until caught up', async () => {
    const s = stores.a();
    const gid = groupConversationId(newId());
    await commit(
      s,
      Array.from({ length: 40 }, (_, i) => text(gid, `message ${i} about coffee 北京`)),
    );
    expect(await s.searchIndex.behind([{ cid: gid, upTo: 40 }])).toEqual([gid]);
    expect(await s.searchIndex.lagging(100_000)).toContain(gid);
    expect(await postings(s, gid)).toEqual([]);

    const first = await s.searchIndex.index([gid], 16);
    expect(first).toMatchObject({ caughtUp: [], more: [gid], entries: 16 });
    expect(await mark(s, gid)).toBe(16);
    expect(await postings(s, gid)).toEqual(await expected(s, gid, 16));

    let passes = 1;
    for (let p = first; p.more.length > 0; passes++) p = await s.searchIndex.index([gid], 16);
    expect(passes).toBe(3);
    expect(await mark(s, gid)).toBe(40);
    expect(await postings(s, gid)).toEqual(await expected(s, gid));
    expect(await s.searchIndex.behind([{ cid: gid, upTo: 40 }])).toEqual([]);
    expect(await s.searchIndex.lagging(100_000)).not.toContain(gid);
    // Nothing past the mark: a pass is a no-op.
    expect(await s.searchIndex.index([gid], 16)).toMatchObject({ caughtUp: [gid], more: [], entries: 0 });
    // Marks lost, postings kept (a partial restore): indexing again keeps each posting once.
    await db(s).deleteFrom('search_progress').where('conversation_id', '=', gid).execute();
    for (let p = await s.searchIndex.index([gid], 100); p.more.length > 0; ) p = await s.searchIndex.index([gid], 100);
    expect(await mark(s, gid)).toBe(40);
    expect(await postings(s, gid)).toEqual(await expected(s, gid));
  });

  it('re-indexes an edited message by its latest text, and drops a recalled one', async () => {
    const s = stores.a();
    const gid = groupConversationId(newId());
    await commit(s, [text(gid, 'alpha coffee'), text(gid, 'gamma 東京')]);
    await s.searchIndex.index([gid], 100);
    const edit = text(gid, '', {
      kind: 'edit',
      body: { text: 'beta tea' },
      targetSeq: 1,
      effect: { type: 'edit', text: 'beta tea' },
    });
    await commit(s, [edit]);
    // Until a pass reads the edit, the old postings stay (the search filters them by the text).
    expect((await postings(s, gid)).filter((p) => p.startsWith('1:'))).toEqual(
      postingsOf({ conversation_id: gid, seq: 1, kind: 'text', body: '{"text":"alpha coffee"}', created_at: 0 })
        .map((p) => `1:${p.token}`)
        .sort(),
    );
    await s.searchIndex.index([gid], 100);
    expect(await postings(s, gid)).toEqual(await expected(s, gid));
    expect((await postings(s, gid)).some((p) => p.includes('tea'))).toBe(true);
    expect((await postings(s, gid)).some((p) => p.includes('coffee'))).toBe(false);

    await commit(s, [text(gid, '', { kind: 'recall', body: {}, targetSeq: 2, effect: { type: 'recall' } })]);
    await s.searchIndex.index([gid], 100);
    expect((await postings(s, gid)).some((p) => p.startsWith('2:'))).toBe(false);
    expect(await postings(s, gid)).toEqual(await expected(s, gid));

    // Edited and recalled before any pass: indexed as they are now, in one pass.
    const g2 = groupConversationId(newId());
    await commit(s, [text(g2, 'first draft'), text(g2, 'secret plans')]);
    await commit(s, [
      text(g2, '', {
        kind: 'edit',
        body: { text: 'final words' },
        targetSeq: 1,
        effect: { type: 'edit', text: 'final words' },
      }),
    ]);
    await commit(s, [text(g2, '', { kind: 'recall', body: {}, targetSeq: 2, effect: { type: 'recall' } })]);
    await s.searchIndex.index([g2], 100);
    const got = await postings(s, g2);
    expect(got).toEqual(await expected(s, g2));
    expect(got.every((p) => p.startsWith('1:'))).toBe(true);
    expect(got.some((p) => p.includes('final'))).toBe(true);
  });

  it('two nodes indexing the same conversations at once write every posting once', async () => {
    const [a, b] = [stores.a(), stores.b()];
    const cids = Array.from({ length: 6 }, () => groupConversationId(newId()));
    for (let round = 0; round < 3; round++) {
      await commit(
        a,
        cids.flatMap((cid) => Array.from({ length: 15 }, (_, i) => text(cid, `round ${round} line ${i} café 한국어`))),
      );
      const settled = await Promise.allSettled([
        a.searchIndex.index(cids, 60),
        b.searchIndex.index(cids, 60),
        a.searchIndex.index(cids.slice(2), 60),
        b.searchIndex.index(cids.slice(0, 3), 60),
      ]);
      // A pass either wrote, or found a watermark moved and wrote nothing: never a duplicate.
      for (const r of settled) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(IndexRaceError);
      while ((await a.searchIndex.behind(cids.map((cid) => ({ cid, upTo: 15 * (round + 1) })))).length > 0) {
        await b.searchIndex.index(cids, 1000).catch((e) => expect(e).toBeInstanceOf(IndexRaceError));
      }
    }
    for (const cid of cids) {
      expect(await mark(a, cid)).toBe(45);
      expect(await postings(a, cid)).toEqual(await expected(a, cid));
    }
  });

  it('the indexer follows what it is told, and a sweep finds what nobody told it', async () => {
    const s = stores.a();
    const told = groupConversationId(newId());
    const untold = groupConversationId(newId());
    const indexer = new SearchIndexer(s.searchIndex, silentLogger, { window: 5 });
    try {
      await commit(s, [text(told, 'hello there'), text(untold, 'nobody said')]);
      indexer.note([told]);
      await indexer.idle();
      expect(await mark(s, told)).toBe(1);
      expect(await mark(s, untold)).toBe(0);
      indexer.start(); // sweeps at once
      for (let i = 0; i < 200 && (await mark(s, untold)) === 0; i++) await new Promise((r) => setTimeout(r, 10));
      await indexer.idle();
      expect(await mark(s, untold)).toBe(1);
      expect(await postings(s, untold)).toEqual(await expected(s, untold));
      // A flush brings a conversation up to date on the spot.
      await commit(s, [text(untold, 'second one')]);
      await indexer.flush([{ cid: untold, upTo: 2 }]);
      expect(await mark(s, untold)).toBe(2);
    } finally {
      await indexer.close();
    }
  });

  it('steps over seqs retention removed', async () => {
    const s = stores.a();
    const gid = groupConversationId(newId());
    await commit(s, [text(gid, 'old one'), text(gid, 'old two')]);
    t += 60_000;
    const cutoff = t;
    await commit(s, [text(gid, 'new three')]);
    await s.entryLog.sweep(cutoff);
    let p = await s.searchIndex.index([gid], 16);
    while (p.more.length) p = await s.searchIndex.index([gid], 16);
    expect(await mark(s, gid)).toBe(3);
    expect(await postings(s, gid)).toEqual(await expected(s, gid));
    expect((await postings(s, gid)).every((x) => x.startsWith('3:'))).toBe(true);
  });
});

describe.each(testDialects())('Search progress migration on %s', (dialect) => {
  it('starts every existing conversation indexed up to its max_seq (the commit wrote its postings)', async () => {
    const fresh = await freshDatabase(dialect);
    const conn = openDb(fresh.url);
    try {
      const all = migrations({ dialect });
      const migrator = new Migrator({
        db: conn.db,
        provider: { getMigrations: async () => all },
        migrationTableName: 'parley_migrations',
        migrationLockTableName: 'parley_migrations_lock',
      });
      const before = await migrator.migrateTo('0009_account_security');
      expect(before.error).toBeUndefined();
      const db = conn.db as Kysely<any>;
      await db
        .insertInto('conversations')
        .values([
          { id: 'g:one', kind: 'group', max_seq: 7, min_seq: 1, created_at: NOW, last_at: NOW },
          { id: 'g:two', kind: 'group', max_seq: 0, min_seq: 1, created_at: NOW, last_at: NOW },
        ])
        .execute();
      const after = await migrator.migrateToLatest();
      expect(after.error).toBeUndefined();
      const rows = await db.selectFrom('search_progress').selectAll().orderBy('conversation_id').execute();
      expect(rows.map((r) => [r.conversation_id, Number(r.indexed_seq)])).toEqual([
        ['g:one', 7],
        ['g:two', 0],
      ]);
    } finally {
      await conn.close();
      await fresh.drop();
    }
  });
});
