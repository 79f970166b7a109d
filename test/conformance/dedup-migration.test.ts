import { type Kysely, Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../../fixtures/databases.js';
import { newClientId } from '../../packages/client/src/client-id.js';
import { dmId } from '../../src/domain/conversation-id.js';
import { newEntryId, newId } from '../../src/domain/ids.js';
import type { DialectName } from '../../src/store/db.js';
import { openDb } from '../../src/store/db.js';
import { migrations } from '../../src/store/migrations.js';
import { openStore } from '../../src/store/store.js';
import { testDialects } from '../support/databases.js';
import { NOW } from './store-setup.js';

/** The columns of an index, in order, from each dialect's catalog. */
async function indexColumns(db: Kysely<any>, dialect: DialectName, index: string): Promise<string[]> {
  if (dialect === 'sqlite') {
    const r = await sql<{ name: string }>`select name from pragma_index_info(${index}) order by seqno`.execute(db);
    return r.rows.map((x) => x.name);
  }
  if (dialect === 'postgres') {
    const r = await sql<{ column: string }>`
      select a.attname as "column" from pg_index i
      join pg_class c on c.oid = i.indexrelid
      join lateral unnest(i.indkey) with ordinality as k(attnum, n) on true
      join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
      where c.relname = ${index} order by k.n`.execute(db);
    return r.rows.map((x) => x.column);
  }
  const r = await sql<{ column: string }>`
    select column_name as \`column\` from information_schema.statistics
    where table_schema = database() and table_name = 'entries' and index_name = ${index}
    order by seq_in_index`.execute(db);
  return r.rows.map((x) => x.column);
}

/**
 * Migration 0011 on a populated database, every dialect: the dedup index changes column order
 * (client id first) while the messages stay, the key stays unique, and a resend of a message
 * stored before the upgrade still answers with the original row.
 */
describe.each(testDialects())('Dedup index migration on %s', (dialect) => {
  it('moves the dedup key to (client_id, sender_id) and keeps every message and every key', async () => {
    const fresh = await freshDatabase(dialect);
    const conn = openDb(fresh.url);
    const users = Array.from({ length: 40 }, () => newId()).sort();
    const pairs = Array.from({ length: 20 }, (_, i) => [users[2 * i]!, users[2 * i + 1]!] as const);
    const rows: Record<string, unknown>[] = [];
    try {
      const migrator = new Migrator({
        db: conn.db,
        provider: { getMigrations: async () => migrations({ dialect }) },
        migrationTableName: 'parley_migrations',
        migrationLockTableName: 'parley_migrations_lock',
      });
      expect((await migrator.migrateTo('0010_search_progress')).error).toBeUndefined();
      const db = conn.db as Kysely<any>;
      expect(await indexColumns(db, dialect, 'entries_client')).toEqual(['sender_id', 'client_id']);
      // 2,000 messages over 20 chats, half with random client ids (older clients), half time-first.
      for (const [p, [a, b]] of pairs.entries()) {
        const cid = dmId(a, b);
        await db
          .insertInto('conversations')
          .values({ id: cid, kind: 'dm', max_seq: 100, min_seq: 1, created_at: NOW, last_at: NOW })
          .execute();
        await db
          .insertInto('conversation_members')
          .values(
            [a, b].map((u) => ({
              conversation_id: cid,
              user_id: u,
              read_seq: 0,
              muted: 0,
              pinned: 0,
              joined_seq: 0,
              left_seq: null,
              updated_at: NOW,
            })),
          )
          .execute();
        const batch = Array.from({ length: 100 }, (_, i) => ({
          conversation_id: cid,
          seq: i + 1,
          id: newEntryId(NOW + i),
          sender_id: i % 2 ? a : b,
          client_id: p % 2 ? newClientId(NOW + i) : newId(),
          kind: 'text',
          body: JSON.stringify({ text: `m${p}.${i}` }),
          target_seq: null,
          created_at: NOW + i,
          edited_at: null,
          recalled_at: null,
        }));
        rows.push(...batch);
        await db.insertInto('entries').values(batch).execute();
      }
      expect((await migrator.migrateToLatest()).error).toBeUndefined();

      expect(await indexColumns(db, dialect, 'entries_dedup')).toEqual(['client_id', 'sender_id']);
      expect(await indexColumns(db, dialect, 'entries_client')).toEqual([]);
      const count = await db
        .selectFrom('entries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst();
      expect(Number(count?.n)).toBe(2000);
      // Still unique on the pair: the same key again is refused by the database itself...
      const again = { ...rows[7]!, conversation_id: dmId(users[0]!, users[39]!), seq: 1, id: newEntryId(NOW) };
      await expect(db.insertInto('entries').values(again).execute()).rejects.toThrow();
      // ...while the same client id from another sender is another message.
      await db
        .insertInto('entries')
        .values({ ...again, sender_id: users[39]!, id: newEntryId(NOW + 1) })
        .execute();
    } finally {
      await conn.close();
    }
    // The upgraded store answers resends of pre-upgrade messages with their original rows.
    const store = await openStore(fresh.url);
    try {
      for (const old of [rows[3]!, rows[1503]!]) {
        const [a, b] = pairs[Math.floor(rows.indexOf(old) / 100)]!;
        const [out] = await store.entryLog.commit(
          [
            {
              conversationId: String(old.conversation_id),
              conversationKind: 'dm',
              members: [a, b],
              senderId: String(old.sender_id),
              clientId: String(old.client_id),
              kind: 'text',
              body: { text: 'resent' },
            },
          ],
          NOW + 10_000,
        );
        expect(out!.duplicate).toBe(true);
        expect(Number(out!.row.seq)).toBe(Number(old.seq));
        expect(out!.row.body).toBe(old.body);
      }
    } finally {
      await store.close();
      await fresh.drop();
    }
  });
});
