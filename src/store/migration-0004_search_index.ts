import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from './db.js';
import { postingsOf } from './search-index.js';

type Ctx = { dialect: DialectName };

/**
 * The message search index: one posting per (token, conversation, seq), in a plain table that
 * all three dialects read the same way (see src/domain/search-text.ts for the tokens). Keys
 * compare as bytes everywhere (PostgreSQL `collate "C"`, MySQL `utf8mb4_bin`, SQLite's
 * default), so prefix ranges and the order of hits are identical on every dialect.
 * Existing messages are indexed here, in batches.
 */
export function searchIndex(ctx: Ctx): Migration {
  return {
    async up(db: Kysely<any>) {
      const bin = (n: number) =>
        ctx.dialect === 'postgres' ? sql.raw(`varchar(${n}) collate "C"`) : sql.raw(`varchar(${n})`);
      let t = db.schema
        .createTable('search_postings')
        .addColumn('token', bin(64), (c) => c.notNull())
        .addColumn('conversation_id', bin(80), (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('search_postings_pk', ['conversation_id', 'seq', 'token']);
      if (ctx.dialect === 'mysql') t = t.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`);
      // SQLite: the primary key is the table (no rowid copy of every posting).
      if (ctx.dialect === 'sqlite') t = t.modifyEnd(sql`without rowid`);
      await t.execute();
      // The lookup path: one token's postings per conversation, with the time the order needs.
      await db.schema
        .createIndex('search_postings_token')
        .on('search_postings')
        .columns(['token', 'conversation_id', 'seq', 'created_at'])
        .execute();

      let after: { cid: string; seq: number } | undefined;
      for (;;) {
        let q = db
          .selectFrom('entries')
          .select(['conversation_id', 'seq', 'kind', 'body', 'created_at', 'recalled_at'])
          .orderBy('conversation_id')
          .orderBy('seq')
          .limit(1000);
        if (after) {
          const a = after;
          q = q.where((eb) =>
            eb.or([
              eb('conversation_id', '>', a.cid),
              eb.and([eb('conversation_id', '=', a.cid), eb('seq', '>', a.seq)]),
            ]),
          );
        }
        const rows = await q.execute();
        if (rows.length === 0) break;
        const postings = rows.flatMap((r) => postingsOf(r));
        for (let i = 0; i < postings.length; i += 500)
          await db
            .insertInto('search_postings')
            .values(postings.slice(i, i + 500))
            .execute();
        const last = rows[rows.length - 1]!;
        after = { cid: last.conversation_id, seq: Number(last.seq) };
      }
    },
  };
}
