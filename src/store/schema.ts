import type { ColumnType } from 'kysely';

/**
 * The typed shape of every table, shared by all three dialects. Times are epoch milliseconds
 * (bigint columns read back as numbers), flags are 0/1 integers, JSON lives in text columns:
 * the portable subset of SQLite, PostgreSQL and MySQL/MariaDB.
 */
import type { JoinPolicy, Role } from '../domain/group-rules.js';

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
  reactions: ReactionsTable;
  reaction_counts: ReactionCountsTable;
  message_pins: MessagePinsTable;
}
