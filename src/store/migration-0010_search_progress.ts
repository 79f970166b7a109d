import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from './db.js';

type Ctx = { dialect: DialectName };

/**
 * The search indexer's watermark: `search_progress.indexed_seq` is the seq up to which a
 * conversation's entries are in `search_postings` (see src/store/search-index.ts). One row per
 * conversation, in a table of its own so the indexer never locks the `conversations` row the
 * group commit updates. Until this migration the commit wrote postings itself, so every
 * existing conversation starts indexed up to its `max_seq`.
 */
export function searchProgress(ctx: Ctx): Migration {
  return {
    async up(db: Kysely<any>) {
      let t = db.schema
        .createTable('search_progress')
        .addColumn('conversation_id', 'varchar(80)', (c) => c.primaryKey())
        .addColumn('indexed_seq', 'bigint', (c) => c.notNull());
      if (ctx.dialect === 'mysql') t = t.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`);
      await t.execute();
      await sql`insert into search_progress (conversation_id, indexed_seq) select id, max_seq from conversations`.execute(
        db,
      );
    },
  };
}
