import { type Kysely, type Migration, type MigrationProvider, Migrator, sql, type CreateTableBuilder } from 'kysely';
import type { DialectName } from './db.js';
import { searchIndex } from './migration-0004_search_index.js';
import { searchProgress } from './migration-0010_search_progress.js';
import { dedupClientFirst } from './migration-0011_dedup_client_first.js';
import { invitesLastSeen } from './migration-0007_invites_last_seen.js';
import { receiptsForward } from './migration-0006_receipts_forward.js';
import { pushSubscriptions } from './migration-push-subscriptions.js';
import { accountSecurity } from './migration-0009_account_security.js';
import { reactionsPins } from './migration-0005_reactions_pins.js';

/**
 * Versioned migrations, in code so they ship with the server and run at start. Each is
 * written once with the schema builder; the few dialect differences are the helpers below.
 */
type Ctx = { dialect: DialectName };

const bigint = 'bigint' as const;
const id = 'varchar(32)' as const;
const cid = 'varchar(80)' as const;

/** MySQL needs explicit binary collation so ids and client ids compare exactly. */
function table(db: Kysely<any>, ctx: Ctx, name: string): CreateTableBuilder<string, never> {
  const t = db.schema.createTable(name);
  return ctx.dialect === 'mysql' ? t.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`) : t;
}

const longText = (ctx: Ctx) => (ctx.dialect === 'mysql' ? sql`mediumtext` : sql`text`);

function initial(ctx: Ctx): Migration {
  return {
    async up(db) {
      await table(db, ctx, 'users')
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('username', 'varchar(32)', (c) => c.notNull())
        .addColumn('username_lc', 'varchar(32)', (c) => c.notNull().unique())
        .addColumn('mobile', 'varchar(20)', (c) => c.unique())
        .addColumn('password_hash', 'varchar(255)', (c) => c.notNull())
        .addColumn('nickname', 'varchar(64)', (c) => c.notNull())
        .addColumn('avatar', 'varchar(64)')
        .addColumn('gender', 'varchar(16)', (c) => c.notNull().defaultTo('unspecified'))
        .addColumn('bio', 'varchar(512)', (c) => c.notNull().defaultTo(''))
        .addColumn('event_seq', bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .execute();

      await table(db, ctx, 'sessions')
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('user_id', id, (c) => c.notNull())
        .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('device', 'varchar(128)', (c) => c.notNull())
        .addColumn('ip', 'varchar(64)', (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('last_seen_at', bigint, (c) => c.notNull())
        .addColumn('expires_at', bigint, (c) => c.notNull())
        .addColumn('revoked_at', bigint)
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').columns(['user_id', 'created_at']).execute();

      await table(db, ctx, 'throttles')
        .addColumn('key', 'varchar(191)', (c) => c.primaryKey())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('window_start', bigint, (c) => c.notNull())
        .execute();

      await table(db, ctx, 'contact_requests')
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('from_id', id, (c) => c.notNull())
        .addColumn('to_id', id, (c) => c.notNull())
        .addColumn('message', 'varchar(512)', (c) => c.notNull().defaultTo(''))
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('pending_key', 'varchar(80)', (c) => c.unique())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('contact_requests_to')
        .on('contact_requests')
        .columns(['to_id', 'status', 'created_at'])
        .execute();
      await db.schema
        .createIndex('contact_requests_from')
        .on('contact_requests')
        .columns(['from_id', 'created_at'])
        .execute();

      await table(db, ctx, 'contacts')
        .addColumn('user_id', id, (c) => c.notNull())
        .addColumn('peer_id', id, (c) => c.notNull())
        .addColumn('remark', 'varchar(64)', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('contacts_pk', ['user_id', 'peer_id'])
        .execute();

      await table(db, ctx, 'blocks')
        .addColumn('user_id', id, (c) => c.notNull())
        .addColumn('blocked_id', id, (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('blocks_pk', ['user_id', 'blocked_id'])
        .execute();

      await table(db, ctx, 'chat_groups')
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('name', 'varchar(64)', (c) => c.notNull())
        .addColumn('name_lc', 'varchar(64)', (c) => c.notNull())
        .addColumn('avatar', 'varchar(64)')
        .addColumn('notice', 'varchar(2000)', (c) => c.notNull().defaultTo(''))
        .addColumn('owner_id', id, (c) => c.notNull())
        .addColumn('join_policy', 'varchar(16)', (c) => c.notNull())
        .addColumn('member_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .addColumn('dissolved_at', bigint)
        .execute();
      await db.schema.createIndex('chat_groups_name').on('chat_groups').column('name_lc').execute();

      await table(db, ctx, 'group_members')
        .addColumn('group_id', id, (c) => c.notNull())
        .addColumn('user_id', id, (c) => c.notNull())
        .addColumn('role', 'varchar(16)', (c) => c.notNull())
        .addColumn('muted_until', bigint)
        .addColumn('joined_at', bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'user_id'])
        .execute();
      await db.schema.createIndex('group_members_user').on('group_members').column('user_id').execute();

      await table(db, ctx, 'group_requests')
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('group_id', id, (c) => c.notNull())
        .addColumn('user_id', id, (c) => c.notNull())
        .addColumn('message', 'varchar(512)', (c) => c.notNull().defaultTo(''))
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('pending_key', 'varchar(80)', (c) => c.unique())
        .addColumn('decided_by', id)
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('group_requests_group')
        .on('group_requests')
        .columns(['group_id', 'status', 'created_at'])
        .execute();

      await table(db, ctx, 'conversations')
        .addColumn('id', cid, (c) => c.primaryKey())
        .addColumn('kind', 'varchar(8)', (c) => c.notNull())
        .addColumn('max_seq', bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('min_seq', bigint, (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('last_at', bigint, (c) => c.notNull())
        .execute();

      await table(db, ctx, 'conversation_members')
        .addColumn('conversation_id', cid, (c) => c.notNull())
        .addColumn('user_id', id, (c) => c.notNull())
        .addColumn('read_seq', bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('muted', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('pinned', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('joined_seq', bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('left_seq', bigint)
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('conversation_members_pk', ['conversation_id', 'user_id'])
        .execute();
      await db.schema.createIndex('conversation_members_user').on('conversation_members').column('user_id').execute();

      await table(db, ctx, 'entries')
        .addColumn('conversation_id', cid, (c) => c.notNull())
        .addColumn('seq', bigint, (c) => c.notNull())
        .addColumn('id', id, (c) => c.notNull().unique())
        .addColumn('sender_id', id)
        .addColumn('client_id', 'varchar(64)')
        .addColumn('kind', 'varchar(16)', (c) => c.notNull())
        .addColumn('body', longText(ctx), (c) => c.notNull())
        .addColumn('target_seq', bigint)
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('edited_at', bigint)
        .addColumn('recalled_at', bigint)
        .addPrimaryKeyConstraint('entries_pk', ['conversation_id', 'seq'])
        .execute();
      // The dedup key: one row per (sender, clientId), enforced by the database on every node.
      await db.schema
        .createIndex('entries_client')
        .unique()
        .on('entries')
        .columns(['sender_id', 'client_id'])
        .execute();
      await db.schema.createIndex('entries_created').on('entries').column('created_at').execute();

      await table(db, ctx, 'user_events')
        .addColumn('user_id', id, (c) => c.notNull())
        .addColumn('seq', bigint, (c) => c.notNull())
        .addColumn('kind', 'varchar(32)', (c) => c.notNull())
        .addColumn('payload', longText(ctx), (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('user_events_pk', ['user_id', 'seq'])
        .execute();

      await table(db, ctx, 'media')
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('owner_id', id, (c) => c.notNull())
        .addColumn('kind', 'varchar(16)', (c) => c.notNull())
        .addColumn('mime', 'varchar(128)', (c) => c.notNull())
        .addColumn('size', bigint, (c) => c.notNull())
        .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
        .addColumn('thumb_sha256', 'varchar(64)')
        .addColumn('width', 'integer')
        .addColumn('height', 'integer')
        .addColumn('duration_ms', 'integer')
        .addColumn('name', 'varchar(255)', (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('media_owner').on('media').column('owner_id').execute();
      await db.schema.createIndex('media_sha').on('media').column('sha256').execute();
      await db.schema.createIndex('media_thumb_sha').on('media').column('thumb_sha256').execute();

      await table(db, ctx, 'blobs')
        .addColumn('sha256', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('size', bigint, (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .execute();

      await table(db, ctx, 'media_shares')
        .addColumn('media_id', id, (c) => c.notNull())
        .addColumn('conversation_id', cid, (c) => c.notNull())
        .addPrimaryKeyConstraint('media_shares_pk', ['media_id', 'conversation_id'])
        .execute();
    },
  };
}

/**
 * A per-user usage row for the upload quota: the quota check is a conditional update of this
 * row in the transaction that inserts the media record, so concurrent uploads cannot pass the
 * quota together (a sum read before the insert could be stale by the time of the insert).
 * Filled from the existing records.
 */
function mediaUsage(ctx: Ctx): Migration {
  return {
    async up(db) {
      await table(db, ctx, 'media_usage')
        .addColumn('user_id', id, (c) => c.primaryKey())
        .addColumn('bytes', bigint, (c) => c.notNull().defaultTo(0))
        .execute();
      await db
        .insertInto('media_usage')
        .columns(['user_id', 'bytes'])
        .expression(
          db
            .selectFrom('media')
            .select(['owner_id', (eb) => eb.fn.sum('size').as('bytes')])
            .groupBy('owner_id'),
        )
        .execute();
    },
  };
}

/** Operators can disable an account (`parley user disable`): null means it may log in. */
function userDisabled(): Migration {
  return {
    async up(db) {
      await db.schema.alterTable('users').addColumn('disabled_at', bigint).execute();
    },
  };
}

/** All migrations by name; names sort in the order they run. Append, never edit. */
export function migrations(ctx: Ctx): Record<string, Migration> {
  // One line per migration, in order (a branch that adds one adds a line, which merges cleanly).
  return {
    '0001_initial': initial(ctx),
    '0002_media_usage': mediaUsage(ctx),
    '0003_user_disabled': userDisabled(),
    '0004_search_index': searchIndex(ctx),
    '0005_reactions_pins': reactionsPins(ctx),
    '0006_receipts_forward': receiptsForward(),
    '0007_invites_last_seen': invitesLastSeen(ctx),
    '0008_push_subscriptions': pushSubscriptions(ctx),
    '0009_account_security': accountSecurity(ctx),
    '0010_search_progress': searchProgress(ctx),
    '0011_dedup_client_first': dedupClientFirst(ctx),
  };
}

export async function migrateToLatest(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations({ dialect }) };
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'parley_migrations',
    migrationLockTableName: 'parley_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(
      `Migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
