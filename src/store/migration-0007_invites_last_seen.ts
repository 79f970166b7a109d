import { type CreateTableBuilder, type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from './db.js';

type Ctx = { dialect: DialectName };

const bigint = 'bigint' as const;
const id = 'varchar(32)' as const;

function table(db: Kysely<any>, ctx: Ctx, name: string): CreateTableBuilder<string, never> {
  const t = db.schema.createTable(name);
  return ctx.dialect === 'mysql' ? t.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`) : t;
}

/**
 * Group invite links and last seen.
 * - `group_invites`: one row per link; only the SHA-256 of the code is kept (`code_hash`), so a
 *   copy of the database cannot be used to join. `uses` counts joins (and join requests) made
 *   through the link, bounded by `max_uses` when set.
 * - `users.last_seen_at`: when the user's last device went offline (null: never, or before this
 *   migration); `users.last_seen_privacy`: who may see it (`everyone`, `contacts`, `nobody`).
 */
export function invitesLastSeen(ctx: Ctx): Migration {
  return {
    async up(db) {
      await table(db, ctx, 'group_invites')
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('group_id', id, (c) => c.notNull())
        .addColumn('code_hash', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('created_by', id, (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('expires_at', bigint)
        .addColumn('max_uses', 'integer')
        .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('revoked_at', bigint)
        .execute();
      await db.schema
        .createIndex('group_invites_group')
        .on('group_invites')
        .columns(['group_id', 'created_at'])
        .execute();
      await db.schema.alterTable('users').addColumn('last_seen_at', bigint).execute();
      await db.schema
        .alterTable('users')
        .addColumn('last_seen_privacy', 'varchar(16)', (c) => c.notNull().defaultTo('contacts'))
        .execute();
    },
  };
}
