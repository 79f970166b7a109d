import { groupConversationId } from '../domain/conversation-id.js';
import { fail } from '../domain/errors.js';
import type { ContactRequestRow, FriendRow } from '../store/contacts.js';
import { type Cursor, decodeCursor, encodeCursor } from '../store/cursor.js';
import type { GroupRequestRow, GroupRow, MemberListRow, MemberRow } from '../store/groups.js';
import type { UserRow } from '../store/users.js';

/** The few user fields lists and events carry. */
export interface UserBrief {
  id: string;
  username: string;
  nickname: string;
  avatar: string | null;
}

export const brief = (u: Pick<UserRow, 'id' | 'username' | 'nickname' | 'avatar'>): UserBrief => ({
  id: u.id,
  username: u.username,
  nickname: u.nickname,
  avatar: u.avatar,
});

/** Placeholder for an account that no longer exists (lists never fail on one). */
export const unknownUser = (id: string): UserBrief => ({ id, username: '', nickname: '', avatar: null });

export interface ContactRequestView {
  id: string;
  from: UserBrief;
  to: UserBrief;
  message: string;
  status: ContactRequestRow['status'];
  createdAt: number;
  updatedAt: number;
}

export function requestView(r: ContactRequestRow, users: Map<string, UserBrief>): ContactRequestView {
  return {
    id: r.id,
    from: users.get(r.from_id) ?? unknownUser(r.from_id),
    to: users.get(r.to_id) ?? unknownUser(r.to_id),
    message: r.message,
    status: r.status,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface FriendView extends UserBrief {
  remark: string;
  online: boolean;
  /** Friends lists only: epoch ms last online, null when hidden or unknown (services/last-seen.ts). */
  lastSeenAt?: number | null;
  since: number;
  /** The direct conversation with this friend. */
  conversation: string;
}

export function friendView(f: FriendRow, online: boolean, conversation: string): FriendView {
  return { ...friendRecord(f, conversation), online };
}

/** A friend as an event carries it: no `online`, which is stale by the time an event is replayed. */
export function friendRecord(f: FriendRow, conversation: string): Omit<FriendView, 'online'> {
  return {
    id: f.peer_id,
    username: f.username,
    nickname: f.nickname,
    avatar: f.avatar,
    remark: f.remark,
    since: f.created_at,
    conversation,
  };
}

/** What anyone who may know of the group sees (search results, non-members). */
export interface GroupCard {
  id: string;
  name: string;
  avatar: string | null;
  joinPolicy: GroupRow['join_policy'];
  memberCount: number;
}

/** What a member sees. */
export interface GroupView extends GroupCard {
  notice: string;
  ownerId: string;
  createdAt: number;
  conversation: string;
  role: MemberRow['role'];
  mutedUntil: number | null;
}

export const groupCard = (g: GroupRow): GroupCard => ({
  id: g.id,
  name: g.name,
  avatar: g.avatar,
  joinPolicy: g.join_policy,
  memberCount: g.member_count,
});

export const groupView = (g: GroupRow, m: Pick<MemberRow, 'role' | 'muted_until'>): GroupView => ({
  ...groupCard(g),
  notice: g.notice,
  ownerId: g.owner_id,
  createdAt: g.created_at,
  conversation: groupConversationId(g.id),
  role: m.role,
  mutedUntil: m.muted_until,
});

export interface MemberView extends UserBrief {
  role: MemberRow['role'];
  mutedUntil: number | null;
  joinedAt: number;
}

export const memberView = (m: MemberListRow): MemberView => ({
  id: m.user_id,
  username: m.username,
  nickname: m.nickname,
  avatar: m.avatar,
  role: m.role,
  mutedUntil: m.muted_until,
  joinedAt: m.joined_at,
});

export interface GroupRequestView {
  id: string;
  groupId: string;
  user: UserBrief;
  message: string;
  status: GroupRequestRow['status'];
  createdAt: number;
}

export const groupRequestView = (r: GroupRequestRow, user: UserBrief): GroupRequestView => ({
  id: r.id,
  groupId: r.group_id,
  user,
  message: r.message,
  status: r.status,
  createdAt: r.created_at,
});

/** A page of results: `next` is set when more may follow. */
export interface Paged<T> {
  items: T[];
  next?: string;
}

export interface PageQuery {
  cursor?: string;
  limit?: number;
}

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;

/** Parses a page request; a malformed cursor is the client's mistake (VALIDATION_FAILED). */
export function pageOf(q: PageQuery): { after?: Cursor; limit: number } {
  const limit = Math.min(Math.max(1, Math.floor(q.limit ?? DEFAULT_PAGE)), MAX_PAGE);
  if (q.cursor === undefined) return { limit };
  const after = decodeCursor(q.cursor);
  if (!after) throw fail('VALIDATION_FAILED', 'Malformed cursor');
  return { after, limit };
}

/** Builds a page, with a cursor from the last row when the page came back full. */
export function paged<R, T>(rows: R[], limit: number, view: (r: R) => T, key: (r: R) => [number, string]): Paged<T> {
  const items = rows.map(view);
  if (rows.length < limit) return { items };
  const [t, id] = key(rows[rows.length - 1]!);
  return { items, next: encodeCursor(t, id) };
}
