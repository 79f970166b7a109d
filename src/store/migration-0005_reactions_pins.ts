import { type CreateTableBuilder, type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from './db.js';

/**
 * Reactions and pinned messages (issue 16). The entries (`react`/`unreact`, `pin`/`unpin`) are
 * the history; these tables are the current state they add up to, written in the transaction
 * that appends each entry:
 * - `reactions`: one row per (message, emoji, user): who reacted with what.
 * - `reaction_counts`: the aggregate per (message, emoji), so a history page reads one small row
 *   per emoji shown instead of counting reactors (a row is deleted when its count reaches 0).
 * - `message_pins`: the pinned messages of each conversation.
 */
export function reactionsPins(ctx: { dialect: DialectName }): Migration {
  // MySQL: exact (binary) comparison of ids and emoji, as the other tables.
  const table = (db: Kysely<any>, name: string): CreateTableBuilder<string, never> => {
    const t = db.schema.createTable(name);
    return ctx.dialect === 'mysql' ? t.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`) : t;
  };
  return {
    async up(db) {
      await table(db, 'reactions')
        .addColumn('conversation_id', 'varchar(80)', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('emoji', 'varchar(32)', (c) => c.notNull())
        .addColumn('user_id', 'varchar(32)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('reactions_pk', ['conversation_id', 'seq', 'emoji', 'user_id'])
        .execute();
      // "Who reacted", oldest first, and "did I react" for a page of messages.
      await db.schema
        .createIndex('reactions_time')
        .on('reactions')
        .columns(['conversation_id', 'seq', 'created_at', 'user_id'])
        .execute();
      await db.schema
        .createIndex('reactions_user')
        .on('reactions')
        .columns(['conversation_id', 'user_id', 'seq'])
        .execute();

      await table(db, 'reaction_counts')
        .addColumn('conversation_id', 'varchar(80)', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('emoji', 'varchar(32)', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('first_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('reaction_counts_pk', ['conversation_id', 'seq', 'emoji'])
        .execute();

      await table(db, 'message_pins')
        .addColumn('conversation_id', 'varchar(80)', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('pinned_by', 'varchar(32)', (c) => c.notNull())
        .addColumn('pinned_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('message_pins_pk', ['conversation_id', 'seq'])
        .execute();
    },
  };
}
