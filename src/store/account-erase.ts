import type { Kysely, Selectable } from 'kysely';
import type { DialectName } from './db.js';
import type { UserEventRow } from './log.js';
import type { ContactRequestsTable, Database, GroupMembersTable } from './schema.js';
import { type EventSpec, appendEvents, lockUsers, runTx } from './social-tx.js';

type RequestRow = Selectable<ContactRequestsTable>;

/** What erasing an account changed, for the service to announce after commit. */
export interface Erased {
  /** Sessions this call revoked (their sockets must close). */
  sessionIds: string[];
  /** Users whose friendship with the erased user ended. */
  peers: string[];
  /** Pending contact requests to or from the user, now canceled. */
  canceled: RequestRow[];
  /** Users whose block of (or by) the erased user was removed. */
  unblocked: string[];
  /** Media records deleted (nobody else had received them). */
  mediaIds: string[];
  events: UserEventRow[];
}

/** What the tombstone replaces the profile with. */
export interface Tombstone {
  username: string;
  nickname: string;
}

/**
 * The store side of account deletion. Contract:
 * - `erase` is one transaction: it revokes every live session, replaces the profile with the
 *   tombstone (username freed, mobile, avatar and bio cleared, `deleted_at` set once, password
 *   unusable), deletes both sides of every friendship, both directions of blocks, cancels pending
 *   contact requests, deletes the user's TOTP, recovery codes, account codes and e-mail address,
 *   and deletes the media records the user owns that are shared in no conversation (lowering
 *   `media_usage`; the blob sweep then removes bytes nothing references). Run again on the same
 *   user it finds nothing left to change and returns empty lists (idempotent).
 * - `groupsOf` lists the live groups the user is still a member of, with their role.
 * - `successor` names who takes over a group the user owns: the earliest-joined admin, else the
 *   earliest-joined member (ties by user id), never the user; undefined when nobody else is left.
 */
export interface AccountEraseRepo {
  erase(
    userId: string,
    tomb: Tombstone,
    now: number,
    events: (e: Omit<Erased, 'events'>) => EventSpec[],
  ): Promise<Erased>;
  groupsOf(userId: string): Promise<{ groupId: string; role: GroupMembersTable['role'] }[]>;
  successor(groupId: string, userId: string): Promise<string | undefined>;
}

export class KyselyAccountEraseRepo implements AccountEraseRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  erase(userId: string, tomb: Tombstone, now: number, events: (e: Omit<Erased, 'events'>) => EventSpec[]) {
    return runTx(this.db, this.dialect, async (trx) => {
      const friends = await trx.selectFrom('contacts').select('peer_id').where('user_id', '=', userId).execute();
      const blockRows = await trx
        .selectFrom('blocks')
        .select(['user_id', 'blocked_id'])
        .where((eb) => eb.or([eb('user_id', '=', userId), eb('blocked_id', '=', userId)]))
        .execute();
      const pending = await trx
        .selectFrom('contact_requests')
        .selectAll()
        .where('status', '=', 'pending')
        .where((eb) => eb.or([eb('from_id', '=', userId), eb('to_id', '=', userId)]))
        .execute();
      const others = [
        ...friends.map((f) => f.peer_id),
        ...blockRows.map((b) => (b.user_id === userId ? b.blocked_id : b.user_id)),
        ...pending.map((p) => (p.from_id === userId ? p.to_id : p.from_id)),
      ];
      // The same lock order as every contact change, so a racing request or accept serializes.
      await lockUsers(trx, [userId, ...others]);

      const live = await trx
        .selectFrom('sessions')
        .select('id')
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute();
      const sessionIds = live.map((s) => s.id);
      if (sessionIds.length)
        await trx.updateTable('sessions').set({ revoked_at: now }).where('id', 'in', sessionIds).execute();

      await trx
        .updateTable('users')
        .set({
          username: tomb.username,
          username_lc: tomb.username.toLowerCase(),
          nickname: tomb.nickname,
          mobile: null,
          avatar: null,
          bio: '',
          gender: 'unspecified',
          password_hash: '!',
          updated_at: now,
        })
        .where('id', '=', userId)
        .execute();
      await trx
        .updateTable('users')
        .set({ deleted_at: now })
        .where('id', '=', userId)
        .where('deleted_at', 'is', null)
        .execute();

      await trx
        .deleteFrom('contacts')
        .where((eb) => eb.or([eb('user_id', '=', userId), eb('peer_id', '=', userId)]))
        .execute();
      await trx
        .deleteFrom('blocks')
        .where((eb) => eb.or([eb('user_id', '=', userId), eb('blocked_id', '=', userId)]))
        .execute();
      const canceled: RequestRow[] = [];
      for (const p of pending) {
        const r = await trx
          .updateTable('contact_requests')
          .set({ status: 'canceled', pending_key: null, updated_at: now })
          .where('id', '=', p.id)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 1)
          canceled.push({ ...p, status: 'canceled', pending_key: null, updated_at: now });
      }

      for (const t of ['user_totp', 'recovery_codes', 'account_codes', 'user_emails', 'push_subscriptions'] as const)
        await trx.deleteFrom(t).where('user_id', '=', userId).execute();
      // Links an admin made stop working with them; their reactions and pins stay with the
      // messages, shown as from "Deleted account" like the messages themselves.
      await trx
        .updateTable('group_invites')
        .set({ revoked_at: now })
        .where('created_by', '=', userId)
        .where('revoked_at', 'is', null)
        .execute();
      await trx.updateTable('users').set({ last_seen_at: null }).where('id', '=', userId).execute();

      const unshared = await trx
        .selectFrom('media')
        .select(['id', 'size'])
        .where('owner_id', '=', userId)
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('media_shares').select('media_id').whereRef('media_shares.media_id', '=', 'media.id'))),
        )
        // A live group's picture is seen by its members: it stays with the group.
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('chat_groups')
                .select('chat_groups.id')
                .whereRef('chat_groups.avatar', '=', 'media.id')
                .where('chat_groups.dissolved_at', 'is', null),
            ),
          ),
        )
        .execute();
      const mediaIds = unshared.map((m) => m.id);
      if (mediaIds.length) {
        await trx.deleteFrom('media').where('id', 'in', mediaIds).execute();
        const bytes = unshared.reduce((n, m) => n + Number(m.size), 0);
        await trx
          .updateTable('media_usage')
          .set((eb) => ({ bytes: eb('bytes', '-', bytes) }))
          .where('user_id', '=', userId)
          .execute();
      }

      const unblocked = [...new Set(blockRows.map((b) => (b.user_id === userId ? b.blocked_id : b.user_id)))];
      const result = { sessionIds, peers: friends.map((f) => f.peer_id), canceled, unblocked, mediaIds };
      return { ...result, events: await appendEvents(trx, events(result), now) };
    });
  }

  async groupsOf(userId: string) {
    const rows = await this.db
      .selectFrom('group_members')
      .innerJoin('chat_groups', 'chat_groups.id', 'group_members.group_id')
      .select(['group_members.group_id', 'group_members.role'])
      .where('group_members.user_id', '=', userId)
      .where('chat_groups.dissolved_at', 'is', null)
      .orderBy('group_members.group_id')
      .execute();
    return rows.map((r) => ({ groupId: r.group_id, role: r.role }));
  }

  async successor(groupId: string, userId: string) {
    for (const roles of [['admin'], ['admin', 'member']] as const) {
      const r = await this.db
        .selectFrom('group_members')
        .select('user_id')
        .where('group_id', '=', groupId)
        .where('user_id', '!=', userId)
        .where('role', 'in', [...roles])
        .orderBy('joined_at')
        .orderBy('user_id')
        .limit(1)
        .executeTakeFirst();
      if (r) return r.user_id;
    }
    return undefined;
  }
}
