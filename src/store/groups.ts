import type { Kysely, Selectable } from 'kysely';
import type { Role } from '../domain/group-rules.js';
import type { DialectName } from './db.js';
import { type GroupTxDeps, type GroupWrite, GroupWrites } from './group-writes.js';
import type { Database, GroupMembersTable, GroupRequestsTable, GroupsTable } from './schema.js';
import { type PageRequest, keysetPage } from './keyset.js';

export type GroupRow = Selectable<GroupsTable>;
export type MemberRow = Selectable<GroupMembersTable>;
export type GroupRequestRow = Selectable<GroupRequestsTable>;

export interface MemberListRow extends MemberRow {
  username: string;
  nickname: string;
  avatar: string | null;
}

export interface MyGroupRow extends GroupRow {
  role: Role;
  muted_until: number | null;
}

export interface GroupRequestListRow extends GroupRequestRow {
  username: string;
  nickname: string;
  avatar: string | null;
}

export type { GroupWrite, MemberChangeState, GroupChange, GroupDescription } from './group-writes.js';

/**
 * Groups, their members and join requests.
 *
 * Contract: reads are plain queries; every write goes through `write` ({@link GroupWrite}): one
 * transaction that locks the group row, re-checks the group, the memberships and the caller's
 * `check` on the locked rows, then writes the members, `member_count`, the `conversation_members`
 * rows of `g:<id>`, its `system` entry and the user events. A member who joins gets `joined_seq` =
 * the seq just before their join entry; a member who leaves, is removed, or whose group is
 * dissolved gets `left_seq` = the seq of that entry and loses their `group_members` row.
 */
export interface GroupRepo {
  byId(id: string): Promise<GroupRow | undefined>;
  member(groupId: string, userId: string): Promise<MemberRow | undefined>;
  /** Members in join order (then by id), from after the cursor. */
  members(groupId: string, page: PageRequest): Promise<MemberListRow[]>;
  /** The groups the user belongs to, most recently joined first. */
  mine(userId: string): Promise<MyGroupRow[]>;
  /** Live groups whose lower-cased name is exactly `nameLc`. */
  byName(nameLc: string, limit: number): Promise<GroupRow[]>;
  requestById(id: string): Promise<GroupRequestRow | undefined>;
  /** `viewer`: requests of users the viewer blocked are left out (a block means silence). */
  pendingRequests(groupId: string, page: PageRequest, viewer?: string): Promise<GroupRequestListRow[]>;
  readonly write: GroupWrite;
}

export class KyselyGroupRepo implements GroupRepo {
  readonly write: GroupWrite;

  constructor(
    private readonly db: Kysely<Database>,
    dialect: DialectName,
  ) {
    const deps: GroupTxDeps = { db, dialect };
    this.write = new GroupWrites(deps);
  }

  byId(id: string) {
    return this.db.selectFrom('chat_groups').selectAll().where('id', '=', id).executeTakeFirst();
  }

  member(groupId: string, userId: string) {
    return this.db
      .selectFrom('group_members')
      .selectAll()
      .where('group_id', '=', groupId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
  }

  members(groupId: string, page: PageRequest) {
    const q = this.db
      .selectFrom('group_members')
      .innerJoin('users', 'users.id', 'group_members.user_id')
      .selectAll('group_members')
      .select(['users.username', 'users.nickname', 'users.avatar'])
      .where('group_members.group_id', '=', groupId);
    return keysetPage(q, 'group_members.joined_at', 'group_members.user_id', 'asc', page).execute();
  }

  mine(userId: string) {
    return this.db
      .selectFrom('group_members')
      .innerJoin('chat_groups', 'chat_groups.id', 'group_members.group_id')
      .selectAll('chat_groups')
      .select(['group_members.role', 'group_members.muted_until'])
      .where('group_members.user_id', '=', userId)
      .where('chat_groups.dissolved_at', 'is', null)
      .orderBy('group_members.joined_at', 'desc')
      .orderBy('chat_groups.id', 'asc')
      .execute();
  }

  byName(nameLc: string, limit: number) {
    return this.db
      .selectFrom('chat_groups')
      .selectAll()
      .where('name_lc', '=', nameLc)
      .where('dissolved_at', 'is', null)
      .orderBy('member_count', 'desc')
      .orderBy('id', 'asc')
      .limit(limit)
      .execute();
  }

  requestById(id: string) {
    return this.db.selectFrom('group_requests').selectAll().where('id', '=', id).executeTakeFirst();
  }

  pendingRequests(groupId: string, page: PageRequest, viewer?: string) {
    let q = this.db
      .selectFrom('group_requests')
      .innerJoin('users', 'users.id', 'group_requests.user_id')
      .selectAll('group_requests')
      .select(['users.username', 'users.nickname', 'users.avatar'])
      .where('group_requests.group_id', '=', groupId)
      .where('group_requests.status', '=', 'pending');
    if (viewer)
      q = q.where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('blocks')
              .select('blocks.user_id')
              .where('blocks.user_id', '=', viewer)
              .whereRef('blocks.blocked_id', '=', 'group_requests.user_id'),
          ),
        ),
      );
    return keysetPage(q, 'group_requests.created_at', 'group_requests.id', 'asc', page).execute();
  }
}
