import { type CreateTableBuilder, type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from './db.js';

/**
 * Account security (issue 17): deletion tombstones, TOTP, recovery codes, one-time account codes
 * (password reset, e-mail verification, the second sign-in step) and verified e-mail addresses.
 * Every secret a user redeems is stored as its SHA-256 only: each has at least 80 random bits,
 * so a fast hash is as safe as a slow one and lets the row be found by its index.
 */
type Ctx = { dialect: DialectName };

const bigint = 'bigint' as const;
const id = 'varchar(32)' as const;

function table(db: Kysely<any>, ctx: Ctx, name: string): CreateTableBuilder<string, never> {
  const t = db.schema.createTable(name);
  return ctx.dialect === 'mysql' ? t.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`) : t;
}

export function accountSecurity(ctx: Ctx): Migration {
  return {
    async up(db) {
      // When the account was deleted: the row stays as a tombstone so history keeps a sender.
      await db.schema.alterTable('users').addColumn('deleted_at', bigint).execute();

      await table(db, ctx, 'user_totp')
        .addColumn('user_id', id, (c) => c.primaryKey())
        .addColumn('secret', 'varchar(64)', (c) => c.notNull())
        .addColumn('enabled_at', bigint)
        .addColumn('last_step', bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', bigint, (c) => c.notNull())
        .execute();

      await table(db, ctx, 'recovery_codes')
        .addColumn('code_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('user_id', id, (c) => c.notNull())
        .addColumn('used_at', bigint)
        .addColumn('created_at', bigint, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('recovery_codes_user').on('recovery_codes').column('user_id').execute();

      await table(db, ctx, 'account_codes')
        .addColumn('code_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('user_id', id, (c) => c.notNull())
        .addColumn('purpose', 'varchar(16)', (c) => c.notNull())
        .addColumn('email', 'varchar(254)')
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('expires_at', bigint, (c) => c.notNull())
        .addColumn('used_at', bigint)
        .execute();
      await db.schema.createIndex('account_codes_user').on('account_codes').columns(['user_id', 'purpose']).execute();

      await table(db, ctx, 'user_emails')
        .addColumn('user_id', id, (c) => c.primaryKey())
        .addColumn('email', 'varchar(254)', (c) => c.notNull())
        .addColumn('email_lc', 'varchar(191)', (c) => c.notNull())
        .addColumn('verified_at', bigint)
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('user_emails_lc').on('user_emails').column('email_lc').execute();
    },
  };
}
