import type { Kysely, Selectable } from 'kysely';
import { groupConversationId } from '../domain/conversation-id.js';
import { fail } from '../domain/errors.js';
import type { JoinPolicy } from '../domain/group-rules.js';
import { newId } from '../domain/ids.js';
import { INSERT_CHUNK, chunks } from './chunks.js';
import type { DialectName } from './db.js';
import { isUniqueViolation } from './dialect.js';
import { type EntryRow, type UserEventRow, appendEntries, ensureConversation } from './log.js';
import type { Database, GroupMembersTable, GroupRequestsTable, GroupsTable } from './schema.js';
import { type EventSpec, type Trx, appendEvents, runTx } from './social-tx.js';

type GroupRow = Selectable<GroupsTable>;
type MemberRow = Selectable<GroupMembersTable>;
type RequestRow = Selectable<GroupRequestsTable>;

/** Who joins and who leaves the group's conversation in a change, and what the change returns. */
interface Moves<T> {
  join?: string[];
  leave?: string[];
  value: T;
}

/** The locked state a caller's `check` decides on (inside the transaction). */
export interface MemberChangeState {
  group: GroupRow;
  /** The acting user's membership, if any. */
  actor?: MemberRow;
  /** The membership of the user acted on, for operations that have one. */
  target?: MemberRow;
}

/** What a change says: the `system` payload of its conversation entry (none: no entry) and its user events. */
export interface GroupDescription {
  system?: Record<string, unknown>;
  events: EventSpec[];
}

export interface GroupChange<T = undefined> {
  /** The group after the change. */
  group: GroupRow;
  /** The system entries appended to `g:<id>` (publish after commit). */
  entries: EntryRow[];
  events: UserEventRow[];
  value: T;
}

export interface GroupTxDeps {
  db: Kysely<Database>;
  dialect: DialectName;
}

/** Authorization on the locked rows, run inside the transaction; what it throws aborts the change. */
export type GroupCheck = (s: MemberChangeState) => void;

/** What every change of an existing group names. */
export interface GroupChangeInput {
  groupId: string;
  actorId: string;
  now: number;
  check: GroupCheck;
  /** More writes of the same transaction, after `check` (claiming an invite link's use, say). */
  within?: GroupTxStep;
}

/** A write run inside a group change's transaction, on the locked group; what it throws aborts the change. */
export type GroupTxStep = (trx: Trx, s: MemberChangeState) => Promise<void>;

export interface CreateGroupInput {
  id: string;
  name: string;
  avatar: string | null;
  notice: string;
  joinPolicy: JoinPolicy;
  ownerId: string;
  /** Members besides the owner (duplicates and the owner are ignored). */
  memberIds: string[];
  /** The size limit, the owner included. */
  max: number;
  now: number;
  describe: (g: GroupRow) => GroupDescription;
}

export interface AddMembersInput extends GroupChangeInput {
  userIds: string[];
  max: number;
  describe: (g: GroupRow, added: string[]) => GroupDescription;
}

export interface AcceptRequestInput extends GroupChangeInput {
  requestId: string;
  max: number;
  /** `added` is false when the requester had become a member meanwhile. */
  describe: (g: GroupRow, r: RequestRow, added: boolean) => GroupDescription;
}

export interface DeclineRequestInput extends GroupChangeInput {
  requestId: string;
  describe: (g: GroupRow, r: RequestRow) => GroupDescription;
}

export interface CancelRequestInput extends GroupChangeInput {
  /** The error for "no pending request", decided on the locked state (so a hidden group can stay hidden). */
  absent: (s: MemberChangeState) => Error;
  describe: (g: GroupRow, r: RequestRow, adminIds: string[]) => GroupDescription;
}

export interface RequestJoinInput extends GroupChangeInput {
  requestId: string;
  message: string;
  describe: (g: GroupRow, r: RequestRow, adminIds: string[]) => GroupDescription;
}

/** A change aimed at one member (`userId`): leave, kick, ownership transfer. */
export interface MemberTargetInput extends GroupChangeInput {
  userId: string;
  describe: (g: GroupRow) => GroupDescription;
}

export type GroupPatch = Partial<Pick<GroupRow, 'name' | 'avatar' | 'notice' | 'join_policy'>>;

export interface UpdateGroupInput extends GroupChangeInput {
  patch: GroupPatch;
  describe: (g: GroupRow) => GroupDescription;
}

export type MemberPatch = Partial<Pick<MemberRow, 'role' | 'muted_until'>>;

export interface SetMemberInput extends GroupChangeInput {
  userId: string;
  patch: MemberPatch;
  describe: (g: GroupRow, m: MemberRow) => GroupDescription;
}

export interface DissolveInput extends GroupChangeInput {
  /** Gets the members the group had. */
  describe: (g: GroupRow, memberIds: string[]) => GroupDescription;
}

/**
 * The transactional writes of {@link GroupRepo}.
 *
 * Lock, then check, then write, all in one transaction. Every method but `create` first locks
 * the `chat_groups` row of `groupId` (a no-op UPDATE: a row lock on PostgreSQL and MySQL; SQLite
 * has one writer), so the changes of one group run one at a time on every node. Inside the lock
 * it re-reads what the decision rests on and refuses, rolling back everything:
 * - the group: missing or dissolved is `GROUP_NOT_FOUND`;
 * - the actor's member row and, for methods with a `userId`, the target's: handed to the
 *   caller's `check`, whose error (`NOT_A_MEMBER`, `ROLE_REQUIRED`, ...) is thrown as is;
 * - then each method's own facts, named on it below.
 * `create` locks nothing (the group is new) and checks the size limit before it starts.
 * On success the change writes the member rows, `member_count`, the `conversation_members` rows
 * of `g:<id>` (joiners from just before the entry, leavers up to it), the `system` entry when
 * `describe` gives one, and the user events `describe` names, and returns them for publishing.
 */
export interface GroupWrite {
  /** Size over `max` is `GROUP_FULL`. */
  create(i: CreateGroupInput): Promise<GroupChange>;
  /** Already-members are skipped; none left is `ALREADY_MEMBER`; over `max` is `GROUP_FULL`. `value` = who was added. */
  addMembers(i: AddMembersInput): Promise<GroupChange<string[]>>;
  /**
   * Claims the request while it is still pending (else `REQUEST_NOT_FOUND`), then adds its user
   * (over `max` is `GROUP_FULL`); a requester who is a member already is just marked accepted.
   */
  acceptRequest(i: AcceptRequestInput): Promise<GroupChange<RequestRow>>;
  /** Claims the request while it is still pending (else `REQUEST_NOT_FOUND`) and marks it declined. */
  declineRequest(i: DeclineRequestInput): Promise<GroupChange<RequestRow>>;
  /** The actor withdraws their own pending request (marked `canceled`); none pending throws `absent(state)`. */
  cancelRequest(i: CancelRequestInput): Promise<GroupChange<RequestRow>>;
  /** A member is `ALREADY_MEMBER`; a pending request of theirs already is `REQUEST_PENDING`. */
  requestJoin(i: RequestJoinInput): Promise<GroupChange<RequestRow>>;
  /** Removes one member (leave or kick); a non-member target is `NOT_A_MEMBER`. */
  removeMember(i: MemberTargetInput): Promise<GroupChange>;
  update(i: UpdateGroupInput): Promise<GroupChange>;
  /** Role or mute of one member; a non-member target is `NOT_A_MEMBER`. */
  setMember(i: SetMemberInput): Promise<GroupChange<MemberRow>>;
  /** The actor (owner) hands ownership to `userId` and becomes an admin; a non-member is `NOT_A_MEMBER`. */
  transfer(i: MemberTargetInput): Promise<GroupChange>;
  /** Ends the group: every member leaves at the `dissolved` entry, pending requests are canceled. `value` = the former members. */
  dissolve(i: DissolveInput): Promise<GroupChange<string[]>>;
}

export class GroupWrites implements GroupWrite {
  constructor(private readonly d: GroupTxDeps) {}

  async create(i: CreateGroupInput) {
    const ids = [...new Set([i.ownerId, ...i.memberIds])];
    if (ids.length > i.max) throw fail('GROUP_FULL', `A group holds at most ${i.max} members`);
    return runTx(this.d.db, this.d.dialect, async (trx) => {
      const g: GroupRow = {
        id: i.id,
        name: i.name,
        name_lc: i.name.toLowerCase(),
        avatar: i.avatar,
        notice: i.notice,
        owner_id: i.ownerId,
        join_policy: i.joinPolicy,
        member_count: ids.length,
        created_at: i.now,
        updated_at: i.now,
        dissolved_at: null,
      };
      await trx.insertInto('chat_groups').values(g).execute();
      for (const part of chunks(ids, INSERT_CHUNK)) {
        await trx
          .insertInto('group_members')
          .values(
            part.map((u) => ({
              group_id: g.id,
              user_id: u,
              role: u === i.ownerId ? ('owner' as const) : ('member' as const),
              muted_until: null,
              joined_at: i.now,
            })),
          )
          .execute();
      }
      await ensureConversation(trx, this.d.dialect, groupConversationId(g.id), 'group', i.now);
      return this.finish(trx, g, i.ownerId, i.describe(g), i.now, { join: ids, value: undefined });
    });
  }

  addMembers(i: AddMembersInput) {
    return this.tx(i, undefined, async (trx, s) => {
      const wanted = [...new Set(i.userIds)];
      const existing = await trx
        .selectFrom('group_members')
        .select('user_id')
        .where('group_id', '=', s.group.id)
        .where('user_id', 'in', wanted)
        .execute();
      const have = new Set(existing.map((r) => r.user_id));
      const added = wanted.filter((u) => !have.has(u));
      if (added.length === 0)
        throw fail('ALREADY_MEMBER', wanted.length === 1 ? 'Already a member' : 'They are all members already');
      const g = await this.insertMembers(trx, s.group, added, i.max, i.now);
      return this.finish(trx, g, i.actorId, i.describe(g, added), i.now, { join: added, value: added });
    });
  }

  acceptRequest(i: AcceptRequestInput) {
    return this.tx(i, undefined, async (trx, s) => {
      const r = await this.claim(trx, s.group.id, i.requestId, 'accepted', i.actorId, i.now);
      const member = await this.memberRow(trx, s.group.id, r.user_id);
      if (member) return this.finish(trx, s.group, i.actorId, i.describe(s.group, r, false), i.now, { value: r });
      const g = await this.insertMembers(trx, s.group, [r.user_id], i.max, i.now);
      return this.finish(trx, g, i.actorId, i.describe(g, r, true), i.now, { join: [r.user_id], value: r });
    });
  }

  declineRequest(i: DeclineRequestInput) {
    return this.tx(i, undefined, async (trx, s) => {
      const r = await this.claim(trx, s.group.id, i.requestId, 'declined', i.actorId, i.now);
      return this.finish(trx, s.group, i.actorId, i.describe(s.group, r), i.now, { value: r });
    });
  }

  requestJoin(i: RequestJoinInput) {
    return this.tx(i, undefined, async (trx, s) => {
      if (s.actor) throw fail('ALREADY_MEMBER', 'You are already a member');
      const r: RequestRow = {
        id: i.requestId,
        group_id: s.group.id,
        user_id: i.actorId,
        message: i.message,
        status: 'pending',
        pending_key: `${s.group.id}:${i.actorId}`,
        decided_by: null,
        created_at: i.now,
        updated_at: i.now,
      };
      try {
        await trx.insertInto('group_requests').values(r).execute();
      } catch (e) {
        if (isUniqueViolation(e)) throw fail('REQUEST_PENDING', 'Your request to join is already pending');
        throw e;
      }
      return this.finish(trx, s.group, i.actorId, i.describe(s.group, r, await this.adminIds(trx, s.group.id)), i.now, {
        value: r,
      });
    });
  }

  cancelRequest(i: CancelRequestInput) {
    return this.tx(i, undefined, async (trx, s) => {
      // At most one is pending per (group, user): `pending_key` is unique.
      const pending = await trx
        .selectFrom('group_requests')
        .select('id')
        .where('pending_key', '=', `${s.group.id}:${i.actorId}`)
        .executeTakeFirst();
      if (!pending) throw i.absent(s);
      const r = await this.claim(trx, s.group.id, pending.id, 'canceled', i.actorId, i.now);
      return this.finish(trx, s.group, i.actorId, i.describe(s.group, r, await this.adminIds(trx, s.group.id)), i.now, {
        value: r,
      });
    });
  }

  removeMember(i: MemberTargetInput) {
    return this.tx(i, i.userId, async (trx, s) => {
      if (!s.target) throw fail('NOT_A_MEMBER', 'Not a member of this group');
      await trx
        .deleteFrom('group_members')
        .where('group_id', '=', s.group.id)
        .where('user_id', '=', i.userId)
        .execute();
      const g = await this.bumpCount(trx, s.group, -1, i.now);
      return this.finish(trx, g, i.actorId, i.describe(g), i.now, { leave: [i.userId], value: undefined });
    });
  }

  update(i: UpdateGroupInput) {
    return this.tx(i, undefined, async (trx, s) => {
      const patch = {
        ...i.patch,
        ...(i.patch.name !== undefined ? { name_lc: i.patch.name.toLowerCase() } : {}),
        updated_at: i.now,
      };
      await trx.updateTable('chat_groups').set(patch).where('id', '=', s.group.id).execute();
      const g = { ...s.group, ...patch };
      return this.finish(trx, g, i.actorId, i.describe(g), i.now, { value: undefined });
    });
  }

  setMember(i: SetMemberInput) {
    return this.tx(i, i.userId, async (trx, s) => {
      if (!s.target) throw fail('NOT_A_MEMBER', 'Not a member of this group');
      await trx
        .updateTable('group_members')
        .set(i.patch)
        .where('group_id', '=', s.group.id)
        .where('user_id', '=', i.userId)
        .execute();
      const m = { ...s.target, ...i.patch };
      return this.finish(trx, s.group, i.actorId, i.describe(s.group, m), i.now, { value: m });
    });
  }

  transfer(i: MemberTargetInput) {
    return this.tx(i, i.userId, async (trx, s) => {
      if (!s.target) throw fail('NOT_A_MEMBER', 'The new owner must be a member');
      await trx
        .updateTable('group_members')
        .set({ role: 'admin' })
        .where('group_id', '=', s.group.id)
        .where('user_id', '=', i.actorId)
        .execute();
      await trx
        .updateTable('group_members')
        .set({ role: 'owner' })
        .where('group_id', '=', s.group.id)
        .where('user_id', '=', i.userId)
        .execute();
      await trx
        .updateTable('chat_groups')
        .set({ owner_id: i.userId, updated_at: i.now })
        .where('id', '=', s.group.id)
        .execute();
      const g = { ...s.group, owner_id: i.userId, updated_at: i.now };
      return this.finish(trx, g, i.actorId, i.describe(g), i.now, { value: undefined });
    });
  }

  dissolve(i: DissolveInput) {
    return this.tx(i, undefined, async (trx, s) => {
      const rows = await trx.selectFrom('group_members').select('user_id').where('group_id', '=', s.group.id).execute();
      const ids = rows.map((r) => r.user_id);
      await trx.deleteFrom('group_members').where('group_id', '=', s.group.id).execute();
      await trx
        .updateTable('group_requests')
        .set({ status: 'canceled', pending_key: null, updated_at: i.now })
        .where('group_id', '=', s.group.id)
        .where('status', '=', 'pending')
        .execute();
      await trx
        .updateTable('chat_groups')
        .set({ dissolved_at: i.now, member_count: 0, updated_at: i.now })
        .where('id', '=', s.group.id)
        .execute();
      const g = { ...s.group, dissolved_at: i.now, member_count: 0, updated_at: i.now };
      return this.finish(trx, g, i.actorId, i.describe(g, ids), i.now, { leave: ids, value: ids });
    });
  }

  /** Locks the group (serializing its membership changes), loads the memberships, runs `check`. */
  private tx<T>(
    i: GroupChangeInput,
    targetId: string | undefined,
    fn: (trx: Trx, s: MemberChangeState) => Promise<GroupChange<T>>,
  ) {
    return runTx(this.d.db, this.d.dialect, async (trx) => {
      // A no-op write takes the row lock on PostgreSQL/MySQL (SQLite serializes all writers).
      await trx
        .updateTable('chat_groups')
        .set((eb) => ({ member_count: eb.ref('member_count') }))
        .where('id', '=', i.groupId)
        .execute();
      const group = await trx
        .selectFrom('chat_groups')
        .selectAll()
        .where('id', '=', i.groupId)
        .where('dissolved_at', 'is', null)
        .executeTakeFirst();
      if (!group) throw fail('GROUP_NOT_FOUND', 'No such group');
      const actor = await this.memberRow(trx, group.id, i.actorId);
      const target =
        targetId === undefined
          ? undefined
          : targetId === i.actorId
            ? actor
            : await this.memberRow(trx, group.id, targetId);
      const s: MemberChangeState = { group, ...(actor ? { actor } : {}), ...(target ? { target } : {}) };
      i.check(s);
      if (i.within) await i.within(trx, s);
      return fn(trx, s);
    });
  }

  private memberRow(trx: Trx, groupId: string, userId: string) {
    return trx
      .selectFrom('group_members')
      .selectAll()
      .where('group_id', '=', groupId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
  }

  private async adminIds(trx: Trx, groupId: string) {
    const rows = await trx
      .selectFrom('group_members')
      .select('user_id')
      .where('group_id', '=', groupId)
      .where('role', 'in', ['owner', 'admin'])
      .execute();
    return rows.map((a) => a.user_id);
  }

  private async claim(
    trx: Trx,
    groupId: string,
    id: string,
    to: 'accepted' | 'declined' | 'canceled',
    by: string,
    now: number,
  ) {
    const res = await trx
      .updateTable('group_requests')
      .set({ status: to, pending_key: null, decided_by: by, updated_at: now })
      .where('id', '=', id)
      .where('group_id', '=', groupId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw fail('REQUEST_NOT_FOUND', 'No such pending request');
    return trx.selectFrom('group_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  }

  private async insertMembers(trx: Trx, g: GroupRow, userIds: string[], max: number, now: number) {
    if (g.member_count + userIds.length > max) throw fail('GROUP_FULL', `A group holds at most ${max} members`);
    for (const part of chunks(userIds, INSERT_CHUNK)) {
      await trx
        .insertInto('group_members')
        .values(
          part.map((u) => ({
            group_id: g.id,
            user_id: u,
            role: 'member' as const,
            muted_until: null,
            joined_at: now,
          })),
        )
        .execute();
    }
    return this.bumpCount(trx, g, userIds.length, now);
  }

  private async bumpCount(trx: Trx, g: GroupRow, by: number, now: number): Promise<GroupRow> {
    await trx
      .updateTable('chat_groups')
      .set((eb) => ({ member_count: eb('member_count', '+', by), updated_at: now }))
      .where('id', '=', g.id)
      .execute();
    return { ...g, member_count: g.member_count + by, updated_at: now };
  }

  /**
   * Appends the system entry and events, and moves the conversation rows: joiners start just
   * before the entry (they see their own join), leavers stop at it (they see their own exit).
   */
  private async finish<T>(
    trx: Trx,
    g: GroupRow,
    actorId: string,
    d: GroupDescription,
    now: number,
    o: Moves<T>,
  ): Promise<GroupChange<T>> {
    const cid = groupConversationId(g.id);
    const entries = d.system
      ? await appendEntries(
          trx,
          cid,
          [{ id: newId(), senderId: actorId, clientId: null, kind: 'system', body: { system: d.system } }],
          now,
        )
      : [];
    const seq = entries.length ? Number(entries[0]!.seq) : await this.maxSeq(trx, cid);
    if (o.join?.length) await this.joinConversation(trx, cid, o.join, entries.length ? seq - 1 : seq, now);
    if (o.leave?.length) {
      await trx
        .updateTable('conversation_members')
        .set({ left_seq: seq, updated_at: now })
        .where('conversation_id', '=', cid)
        .where('user_id', 'in', o.leave)
        .execute();
    }
    const events = await appendEvents(trx, d.events, now);
    return { group: g, entries, events, value: o.value };
  }

  private async maxSeq(trx: Trx, cid: string) {
    const c = await trx.selectFrom('conversations').select('max_seq').where('id', '=', cid).executeTakeFirst();
    return Number(c?.max_seq ?? 0);
  }

  private async joinConversation(trx: Trx, cid: string, userIds: string[], joinedSeq: number, now: number) {
    const rows = await trx
      .selectFrom('conversation_members')
      .select('user_id')
      .where('conversation_id', '=', cid)
      .where('user_id', 'in', userIds)
      .execute();
    const rejoin = rows.map((r) => r.user_id);
    if (rejoin.length) {
      await trx
        .updateTable('conversation_members')
        .set({ joined_seq: joinedSeq, left_seq: null, read_seq: joinedSeq, updated_at: now })
        .where('conversation_id', '=', cid)
        .where('user_id', 'in', rejoin)
        .execute();
    }
    const fresh = userIds.filter((u) => !rejoin.includes(u));
    for (const part of chunks(fresh, INSERT_CHUNK)) {
      await trx
        .insertInto('conversation_members')
        .values(
          part.map((u) => ({
            conversation_id: cid,
            user_id: u,
            read_seq: joinedSeq,
            muted: 0,
            pinned: 0,
            joined_seq: joinedSeq,
            left_seq: null,
            updated_at: now,
          })),
        )
        .execute();
    }
  }
}
