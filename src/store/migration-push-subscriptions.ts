import { type CreateTableBuilder, type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from './db.js';

type Ctx = { dialect: DialectName };

/** Same as migrations.ts: MySQL gets binary collation so ids compare exactly. */
function table(db: Kysely<any>, ctx: Ctx, name: string): CreateTableBuilder<string, never> {
  const t = db.schema.createTable(name);
  return ctx.dialect === 'mysql' ? t.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`) : t;
}

/**
 * Web Push subscriptions, one per device session. The endpoint URL can be long (push services
 * put kilobytes in it in theory, ~200–600 characters in practice), which is over MySQL's key
 * length in utf8mb4: uniqueness is on its SHA-256 instead.
 */
export function pushSubscriptions(ctx: Ctx): Migration {
  return {
    async up(db) {
      await table(db, ctx, 'push_subscriptions')
        .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
        .addColumn('user_id', 'varchar(32)', (c) => c.notNull())
        .addColumn('session_id', 'varchar(32)', (c) => c.notNull())
        .addColumn('endpoint', 'varchar(2048)', (c) => c.notNull())
        .addColumn('endpoint_hash', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('p256dh', 'varchar(128)', (c) => c.notNull())
        .addColumn('auth', 'varchar(64)', (c) => c.notNull())
        .addColumn('hide_text', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_sent_at', 'bigint')
        .execute();
      await db.schema.createIndex('push_subscriptions_user').on('push_subscriptions').column('user_id').execute();
      await db.schema.createIndex('push_subscriptions_session').on('push_subscriptions').column('session_id').execute();
    },
  };
}
