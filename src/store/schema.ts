import type { ColumnType } from 'kysely';

/**
 * The typed shape of every table, shared by all three dialects. Times are epoch milliseconds
 * (bigint columns read back as numbers), flags are 0/1 integers, JSON lives in text columns:
 * the portable subset of SQLite, PostgreSQL and MySQL/MariaDB.
 */
import type { JoinPolicy, Role } from '../domain/group-rules.js';
import type { LastSeenPrivacy } from '../domain/last-seen-rules.js';

export interface UsersTable {
  id: string;
  username: string;
  username_lc: string;
  mobile: string | null;
  password_hash: string;
  nickname: string;
  avatar: string | null;
  gender: string;
  bio: string;
  /** Last seq of this user's event log; bumped in the transaction that appends an event. */
  event_seq: number;
  created_at: number;
  updated_at: number;
  /** When an operator disabled the account (`parley user disable`); null while it may log in. */
  disabled_at: ColumnType<number | null, number | null | undefined, number | null>;
  /** When the user's last device went offline (null: not since this was recorded). */
  last_seen_at: ColumnType<number | null, number | null | undefined, number | null>;
  /** Who may see `last_seen_at`. */
  last_seen_privacy: ColumnType<LastSeenPrivacy, LastSeenPrivacy | undefined, LastSeenPrivacy>;
  /** When the account was deleted: the row is then a tombstone (erased profile, no login). */
  deleted_at: ColumnType<number | null, number | null | undefined, number | null>;
}

export type { LastSeenPrivacy };

/** A group invite link; the code itself is never stored, only its SHA-256 (hex). */
export interface GroupInvitesTable {
  id: string;
  group_id: string;
  code_hash: string;
  created_by: string;
  created_at: number;
  expires_at: number | null;
  max_uses: number | null;
  uses: number;
  revoked_at: number | null;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  /** SHA-256 hex of the bearer token; the token itself is never stored. */
  token_hash: string;
  device: string;
  ip: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export interface ThrottlesTable {
  key: string;
  count: number;
  window_start: number;
}

export interface ContactRequestsTable {
  id: string;
  from_id: string;
  to_id: string;
  message: string;
  status: 'pending' | 'accepted' | 'declined' | 'canceled';
  /** `from:to` while pending, NULL after: a unique index that allows one pending request per pair. */
  pending_key: string | null;
  created_at: number;
  updated_at: number;
}

export interface ContactsTable {
  user_id: string;
  peer_id: string;
  remark: string;
  created_at: number;
}

export interface BlocksTable {
  user_id: string;
  blocked_id: string;
  created_at: number;
}

export interface GroupsTable {
  id: string;
  name: string;
  name_lc: string;
  avatar: string | null;
  notice: string;
  owner_id: string;
  join_policy: JoinPolicy;
  member_count: number;
  created_at: number;
  updated_at: number;
  dissolved_at: number | null;
}

export interface GroupMembersTable {
  group_id: string;
  user_id: string;
  role: Role;
  muted_until: number | null;
  joined_at: number;
}

export interface GroupRequestsTable {
  id: string;
  group_id: string;
  user_id: string;
  message: string;
  status: 'pending' | 'accepted' | 'declined' | 'canceled';
  pending_key: string | null;
  decided_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface ConversationsTable {
  /** `dm:<a>:<b>` or `g:<groupId>`. */
  id: string;
  kind: 'dm' | 'group';
  /** Highest seq assigned; the next entry gets max_seq + 1 in the same transaction. */
  max_seq: number;
  /** First seq still kept (retention moves it forward). */
  min_seq: number;
  created_at: number;
  last_at: number;
}

export interface ConversationMembersTable {
  conversation_id: string;
  user_id: string;
  read_seq: number;
  muted: number;
  pinned: number;
  /** Entries with seq <= joined_seq predate the member (groups). */
  joined_seq: number;
  /** Set when the member left or was removed: nothing after it is theirs to read. */
  left_seq: number | null;
  updated_at: number;
  /** The member's devices received entries up to here (delivery receipts; only moves forward; column default 0). */
  delivered_seq?: number;
}

export interface EntriesTable {
  conversation_id: string;
  seq: number;
  id: string;
  sender_id: string | null;
  client_id: string | null;
  kind: string;
  /** JSON: text, media, replyTo, mentions, system payloads… */
  body: string;
  /** For recall/edit entries: the seq they act on. */
  target_seq: number | null;
  created_at: number;
  edited_at: number | null;
  recalled_at: number | null;
}

export interface UserEventsTable {
  user_id: string;
  seq: number;
  kind: string;
  payload: string;
  created_at: number;
}

export interface MediaTable {
  id: string;
  owner_id: string;
  kind: 'image' | 'audio' | 'video' | 'file';
  mime: string;
  size: number;
  sha256: string;
  thumb_sha256: string | null;
  width: number | null;
  height: number | null;
  duration_ms: number | null;
  name: string;
  created_at: number;
}

export interface BlobsTable {
  sha256: string;
  size: number;
  created_at: number;
}

export interface MediaSharesTable {
  media_id: string;
  conversation_id: string;
}

/**
 * Bytes of a user's media records, kept in step with `media` by the transaction that inserts
 * each record: the row is the per-user lock that makes the quota check and the insert atomic.
 */
export interface MediaUsageTable {
  user_id: string;
  bytes: number;
}

/** One search token of one message (see src/store/migration-0004_search_index.ts). */
export interface SearchPostingsTable {
  token: string;
  conversation_id: string;
  seq: number;
  /** The entry's `created_at`: hits are ordered by it, newest first. */
  created_at: number;
}

/** How far the search indexer has read a conversation: entries with `seq <= indexed_seq` are indexed. */
export interface SearchProgressTable {
  conversation_id: string;
  indexed_seq: number;
}

/** A device session's Web Push subscription (see src/store/push-subscriptions.ts). */
export interface PushSubscriptionsTable {
  id: string;
  user_id: string;
  /** The session that registered it: it is only used while that session is live. */
  session_id: string;
  endpoint: string;
  /** SHA-256 hex of `endpoint`: the unique key (an endpoint belongs to one browser profile). */
  endpoint_hash: string;
  /** The browser's P-256 public key and auth secret (base64url), for the aes128gcm payload. */
  p256dh: string;
  auth: string;
  /** 1: this device's notifications say only "New message". */
  hide_text: number;
  created_at: number;
  last_sent_at: number | null;
}

/** A user's TOTP secret; two-factor sign-in is on once `enabled_at` is set (enrolment confirmed). */
export interface UserTotpTable {
  user_id: string;
  /** Base32 secret (the authenticator app holds the same). */
  secret: string;
  enabled_at: number | null;
  /** The last time step whose code was accepted: a code of that step or earlier is a replay. */
  last_step: number;
  created_at: number;
}

/** Single-use recovery codes for two-factor sign-in, stored as SHA-256 hex. */
export interface RecoveryCodesTable {
  code_hash: string;
  user_id: string;
  used_at: number | null;
  created_at: number;
}

/** One-time codes (SHA-256 hex): password reset, e-mail verification, the sign-in second step. */
export interface AccountCodesTable {
  code_hash: string;
  user_id: string;
  purpose: 'reset' | 'verify-email' | 'login';
  /** For `verify-email`: the address the code verifies. */
  email: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** A user's e-mail address for self-service recovery; usable once `verified_at` is set. */
export interface UserEmailsTable {
  user_id: string;
  email: string;
  email_lc: string;
  verified_at: number | null;
  updated_at: number;
}

/** Who reacted to a message with which emoji: one row per (message, emoji, user). */
export interface ReactionsTable {
  conversation_id: string;
  /** The message reacted to. */
  seq: number;
  emoji: string;
  user_id: string;
  created_at: number;
}

/** How many reacted to a message with one emoji (rows with count 0 are deleted). */
export interface ReactionCountsTable {
  conversation_id: string;
  seq: number;
  emoji: string;
  count: number;
  /** When the emoji was first added to the message: chips keep this order. */
  first_at: number;
}

/** A pinned message of a conversation. */
export interface MessagePinsTable {
  conversation_id: string;
  seq: number;
  pinned_by: string;
  pinned_at: number;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  throttles: ThrottlesTable;
  contact_requests: ContactRequestsTable;
  contacts: ContactsTable;
  blocks: BlocksTable;
  chat_groups: GroupsTable;
  group_members: GroupMembersTable;
  group_requests: GroupRequestsTable;
  conversations: ConversationsTable;
  conversation_members: ConversationMembersTable;
  entries: EntriesTable;
  user_events: UserEventsTable;
  media: MediaTable;
  blobs: BlobsTable;
  media_shares: MediaSharesTable;
  media_usage: MediaUsageTable;
  search_postings: SearchPostingsTable;
  search_progress: SearchProgressTable;
  group_invites: GroupInvitesTable;
  push_subscriptions: PushSubscriptionsTable;
  user_totp: UserTotpTable;
  recovery_codes: RecoveryCodesTable;
  account_codes: AccountCodesTable;
  user_emails: UserEmailsTable;
  reactions: ReactionsTable;
  reaction_counts: ReactionCountsTable;
  message_pins: MessagePinsTable;
}
