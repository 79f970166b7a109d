import type { Kysely } from 'kysely';
import type { Role } from '../domain/group-rules.js';
import type { Database } from './schema.js';
import { shapesOf } from './shape-cache.js';

/** Membership facts of one user in one group. */
export interface GroupMembership {
  role: Role;
  mutedUntil: number | null;
}

/** What a group is, for authorization: whether it exists and whether it was dissolved. */
export interface GroupFacts {
  exists: boolean;
  dissolved: boolean;
}

/**
 * Narrow reads behind the authorization cache. Each method is one small query; the cache
 * (services/authz-cache.ts) keeps the answers until the contacts/groups service invalidates them.
 */
export interface AuthzRepo {
  /** Friends means both `contacts` rows exist; blocked means a `blocks` row either way. */
  pair(a: string, b: string): Promise<{ friends: boolean; blocked: boolean }>;
  /** The `group_members` row, or null when the user is not (or no longer) a member. */
  membership(groupId: string, userId: string): Promise<GroupMembership | null>;
  group(groupId: string): Promise<GroupFacts>;
  /** Groups the user is a member of now (for topic subscriptions). */
  groupIds(userId: string): Promise<string[]>;
  /** Users this user has as contacts (presence goes to them). */
  friendIds(userId: string): Promise<string[]>;
  /** Users who blocked this user (what this user does must not reach them). */
  blockers(userId: string): Promise<string[]>;
  /** Users this user blocked. */
  blocked(userId: string): Promise<string[]>;
}

export class KyselyAuthzRepo implements AuthzRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async pair(a: string, b: string) {
    const contacts = await this.db
      .selectFrom('contacts')
      .select(['user_id', 'peer_id'])
      .where((eb) =>
        eb.or([
          eb.and([eb('user_id', '=', a), eb('peer_id', '=', b)]),
          eb.and([eb('user_id', '=', b), eb('peer_id', '=', a)]),
        ]),
      )
      .execute();
    const blocks = await this.db
      .selectFrom('blocks')
      .select('user_id')
      .where((eb) =>
        eb.or([
          eb.and([eb('user_id', '=', a), eb('blocked_id', '=', b)]),
          eb.and([eb('user_id', '=', b), eb('blocked_id', '=', a)]),
        ]),
      )
      .execute();
    return { friends: contacts.length === 2, blocked: blocks.length > 0 };
  }

  async membership(groupId: string, userId: string) {
    const row = await this.db
      .selectFrom('group_members')
      .select(['role', 'muted_until'])
      .where('group_id', '=', groupId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row ? { role: row.role, mutedUntil: row.muted_until == null ? null : Number(row.muted_until) } : null;
  }

  async group(groupId: string) {
    const row = await this.db
      .selectFrom('chat_groups')
      .select('dissolved_at')
      .where('id', '=', groupId)
      .executeTakeFirst();
    return { exists: Boolean(row), dissolved: row?.dissolved_at != null };
  }

  async groupIds(userId: string) {
    const { rows } = await shapesOf(this.db).execute<{ group_id: string }>(this.db, 'authz.groupIds', [userId], () =>
      this.db.selectFrom('group_members').select('group_id').where('user_id', '=', userId),
    );
    return rows.map((r) => r.group_id);
  }

  async friendIds(userId: string) {
    const { rows } = await shapesOf(this.db).execute<{ peer_id: string }>(this.db, 'authz.friendIds', [userId], () =>
      this.db.selectFrom('contacts').select('peer_id').where('user_id', '=', userId),
    );
    return rows.map((r) => r.peer_id);
  }

  async blockers(userId: string) {
    const rows = await this.db.selectFrom('blocks').select('user_id').where('blocked_id', '=', userId).execute();
    return rows.map((r) => r.user_id);
  }

  async blocked(userId: string) {
    const rows = await this.db.selectFrom('blocks').select('blocked_id').where('user_id', '=', userId).execute();
    return rows.map((r) => r.blocked_id);
  }
}
