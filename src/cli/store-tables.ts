/**
 * Every table of a Parley store with its primary key, in the order `copy-store` copies them.
 * A test compares this list with the tables the migrations make, so a migration that adds a
 * table cannot be forgotten here.
 */
export const STORE_TABLES: readonly { name: string; key: readonly string[] }[] = [
  { name: 'users', key: ['id'] },
  { name: 'sessions', key: ['id'] },
  { name: 'throttles', key: ['key'] },
  { name: 'contact_requests', key: ['id'] },
  { name: 'contacts', key: ['user_id', 'peer_id'] },
  { name: 'blocks', key: ['user_id', 'blocked_id'] },
  { name: 'chat_groups', key: ['id'] },
  { name: 'group_members', key: ['group_id', 'user_id'] },
  { name: 'group_requests', key: ['id'] },
  { name: 'conversations', key: ['id'] },
  { name: 'conversation_members', key: ['conversation_id', 'user_id'] },
  { name: 'entries', key: ['conversation_id', 'seq'] },
  { name: 'user_events', key: ['user_id', 'seq'] },
  { name: 'media', key: ['id'] },
  { name: 'blobs', key: ['sha256'] },
  { name: 'media_shares', key: ['media_id', 'conversation_id'] },
  { name: 'media_usage', key: ['user_id'] },
  { name: 'group_invites', key: ['id'] },
  { name: 'reactions', key: ['conversation_id', 'seq', 'emoji', 'user_id'] },
  { name: 'reaction_counts', key: ['conversation_id', 'seq', 'emoji'] },
  { name: 'message_pins', key: ['conversation_id', 'seq'] },
  { name: 'push_subscriptions', key: ['id'] },
  { name: 'search_postings', key: ['conversation_id', 'seq', 'token'] },
  { name: 'search_progress', key: ['conversation_id'] },
  { name: 'user_totp', key: ['user_id'] },
  { name: 'recovery_codes', key: ['code_hash'] },
  { name: 'account_codes', key: ['code_hash'] },
  { name: 'user_emails', key: ['user_id'] },
];

/** Kysely's own bookkeeping tables, which each database keeps for itself. */
export const MIGRATION_TABLES = ['parley_migrations', 'parley_migrations_lock'];
