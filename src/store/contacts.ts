import type { Kysely, Selectable } from 'kysely';
import { dmId } from '../domain/conversation-id.js';
import { fail } from '../domain/errors.js';
import type { DialectName } from './db.js';
import { isUniqueViolation } from './dialect.js';
import { type UserEventRow, ensureConversation } from './log.js';
import type { BlocksTable, ContactRequestsTable, Database } from './schema.js';
import { type PageRequest, keysetPage } from './keyset.js';
import { type EventSpec, type Trx, appendEvents, insertIgnore, lockUsers, runTx } from './social-tx.js';
import { type Quota, spendQuota } from './throttles.js';

export type ContactRequestRow = Selectable<ContactRequestsTable>;
export type BlockRow = Selectable<BlocksTable>;

/** A friend as listed: the contact row joined with the friend's public fields. */
export interface FriendRow {
  peer_id: string;
  remark: string;
  created_at: number;
  username: string;
  nickname: string;
  avatar: string | null;
}

export interface BlockedRow extends BlockRow {
  username: string;
  nickname: string;
  avatar: string | null;
}

/** Everything that decides whether `a` may send a request to `b`. */
export interface Relation {
  friends: boolean;
  aBlockedB: boolean;
  bBlockedA: boolean;
  /** The pending request between the two, in either direction. */
  pending?: ContactRequestRow;
}

/** The result of a transactional change: the events it appended (to publish after commit). */
export interface Changed<T = undefined> {
  value: T;
  events: UserEventRow[];
}

/**
 * Friend requests, friendships (one row per side) and blocks.
 *
 * Contract: every write method is one transaction that also appends the per-user events the
 * service describes, so an event exists exactly when its change committed. At most one request
 * is pending per pair of users in either direction (a unique key on the sorted pair), enforced
 * by the database on every node. `accept` makes both sides friends, creates the direct
 * conversation and both members' rows at once. `block` also cancels pending requests between
 * the two. Methods that act on a request claim it with a conditional update, so two racing
 * decisions cannot both win; the loser gets `REQUEST_NOT_FOUND`.
 */
export interface ContactRepo {
  relation(a: string, b: string): Promise<Relation>;
  requestById(id: string): Promise<ContactRequestRow | undefined>;
  /**
   * Creates a pending request after `check` accepted the pair's relation as read inside the
   * transaction (both users' rows locked, so a racing block or accept is seen), spending one of
   * the sender's `quota` in the same transaction (`RATE_LIMITED` when it is used up: exact under
   * concurrent requests, and a request that fails spends nothing). Fails with `REQUEST_PENDING`
   * when a request between the pair is already pending.
   */
  createRequest(
    r: { id: string; fromId: string; toId: string; message: string; now: number },
    check: (rel: Relation) => void,
    events: (r: ContactRequestRow) => EventSpec[],
    quota?: Quota,
  ): Promise<Changed<ContactRequestRow>>;
  /** Pending requests to (`in`) or from (`out`) the user, newest first. */
  pendingRequests(userId: string, direction: 'in' | 'out', page: PageRequest): Promise<ContactRequestRow[]>;
  /**
   * Moves a pending request to `to`; `who` must be the receiver (accept/decline) or the sender
   * (cancel), else `REQUEST_NOT_FOUND`. Accepting also makes both sides friends (see above).
   */
  decide(
    id: string,
    who: string,
    to: 'accepted' | 'declined' | 'canceled',
    now: number,
    events: (r: ContactRequestRow) => EventSpec[],
  ): Promise<Changed<ContactRequestRow>>;
  friend(userId: string, peerId: string): Promise<FriendRow | undefined>;
  friends(userId: string, page: PageRequest): Promise<FriendRow[]>;
  /** Which of `peerIds` are friends of `userId`. */
  friendIdsAmong(userId: string, peerIds: readonly string[]): Promise<Set<string>>;
  /**
   * Sets the user's remark for a friend. `value` is the friend after it, undefined when they are
   * not friends; `events` are appended only when the remark changed (setting the same one
   * announces nothing).
   */
  setRemark(
    userId: string,
    peerId: string,
    remark: string,
    now: number,
    events: (f: FriendRow) => EventSpec[],
  ): Promise<Changed<FriendRow | undefined>>;
  /** Removes both sides; `value` is false when they were not friends. */
  removeFriend(userId: string, peerId: string, now: number, events: EventSpec[]): Promise<Changed<boolean>>;
  blocks(userId: string, page: PageRequest): Promise<BlockedRow[]>;
  /** Users among `ids` who have blocked `userId`. */
  blockedBy(userId: string, ids: readonly string[]): Promise<Set<string>>;
  /** `value` lists the pending requests this canceled; blocking again changes and announces nothing. */
  block(
    userId: string,
    targetId: string,
    now: number,
    events: (canceled: ContactRequestRow[]) => EventSpec[],
  ): Promise<Changed<ContactRequestRow[]>>;
  /** `value` is false when there was no block; unblocking again changes and announces nothing. */
  unblock(userId: string, targetId: string, now: number, events: EventSpec[]): Promise<Changed<boolean>>;
}

/** The unique pending key: the sorted pair, so a pair has one pending request whichever way. */
const pairKey = (a: string, b: string) => (a < b ? `${a}:${b}` : `${b}:${a}`);

export class KyselyContactRepo implements ContactRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  relation(a: string, b: string): Promise<Relation> {
    return this.relationIn(this.db, a, b);
  }

  private async relationIn(db: Kysely<Database>, a: string, b: string): Promise<Relation> {
    const [friend, blocks, pending] = await Promise.all([
      db.selectFrom('contacts').select('user_id').where('user_id', '=', a).where('peer_id', '=', b).executeTakeFirst(),
      db
        .selectFrom('blocks')
        .select(['user_id', 'blocked_id'])
        .where((eb) =>
          eb.or([
            eb.and([eb('user_id', '=', a), eb('blocked_id', '=', b)]),
            eb.and([eb('user_id', '=', b), eb('blocked_id', '=', a)]),
          ]),
        )
        .execute(),
      db.selectFrom('contact_requests').selectAll().where('pending_key', '=', pairKey(a, b)).executeTakeFirst(),
    ]);
    return {
      friends: !!friend,
      aBlockedB: blocks.some((x) => x.user_id === a),
      bBlockedA: blocks.some((x) => x.user_id === b),
      ...(pending ? { pending } : {}),
    };
  }

  requestById(id: string) {
    return this.db.selectFrom('contact_requests').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async createRequest(
    r: { id: string; fromId: string; toId: string; message: string; now: number },
    check: (rel: Relation) => void,
    events: (r: ContactRequestRow) => EventSpec[],
    quota?: Quota,
  ) {
    const row: ContactRequestRow = {
      id: r.id,
      from_id: r.fromId,
      to_id: r.toId,
      message: r.message,
      status: 'pending',
      pending_key: pairKey(r.fromId, r.toId),
      created_at: r.now,
      updated_at: r.now,
    };
    try {
      return await runTx(this.db, this.dialect, async (trx) => {
        await lockUsers(trx, [r.fromId, r.toId]);
        check(await this.relationIn(trx, r.fromId, r.toId));
        if (quota) await spendQuota(trx, this.dialect, quota, r.now);
        await trx.insertInto('contact_requests').values(row).execute();
        return { value: row, events: await appendEvents(trx, events(row), r.now) };
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw fail('REQUEST_PENDING', 'A request between you is already pending');
      throw e;
    }
  }

  async pendingRequests(userId: string, direction: 'in' | 'out', page: PageRequest) {
    const col = direction === 'in' ? 'to_id' : 'from_id';
    const q = this.db
      .selectFrom('contact_requests')
      .selectAll()
      .where(col, '=', userId)
      .where('status', '=', 'pending');
    return keysetPage(q, 'created_at', 'id', 'desc', page).execute();
  }

  async decide(
    id: string,
    who: string,
    to: 'accepted' | 'declined' | 'canceled',
    now: number,
    events: (r: ContactRequestRow) => EventSpec[],
  ) {
    return runTx(this.db, this.dialect, async (trx) => {
      // Users first, then the request: the same lock order as `block` and `createRequest`.
      const peek = await trx
        .selectFrom('contact_requests')
        .select(['from_id', 'to_id'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!peek) throw fail('REQUEST_NOT_FOUND', 'No such pending request');
      await lockUsers(trx, [peek.from_id, peek.to_id]);
      // The claim: only one decision can move a request out of `pending`.
      const res = await trx
        .updateTable('contact_requests')
        .set({ status: to, pending_key: null, updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where(to === 'canceled' ? 'from_id' : 'to_id', '=', who)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) throw fail('REQUEST_NOT_FOUND', 'No such pending request');
      const row = await trx.selectFrom('contact_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      if (to === 'accepted') await this.befriend(trx, row.from_id, row.to_id, now);
      return { value: row, events: await appendEvents(trx, events(row), now) };
    });
  }

  /** Both friendship rows, the direct conversation and both members' rows (history is kept on a re-add). */
  private async befriend(trx: Trx, a: string, b: string, now: number) {
    await insertIgnore(trx, this.dialect, 'contacts', { user_id: a, peer_id: b, remark: '', created_at: now }, [
      'user_id',
      'peer_id',
    ]);
    await insertIgnore(trx, this.dialect, 'contacts', { user_id: b, peer_id: a, remark: '', created_at: now }, [
      'user_id',
      'peer_id',
    ]);
    const cid = dmId(a, b);
    await ensureConversation(trx, this.dialect, cid, 'dm', now);
    for (const u of [a, b]) {
      await insertIgnore(
        trx,
        this.dialect,
        'conversation_members',
        {
          conversation_id: cid,
          user_id: u,
          read_seq: 0,
          muted: 0,
          pinned: 0,
          joined_seq: 0,
          left_seq: null,
          updated_at: now,
        },
        ['conversation_id', 'user_id'],
      );
    }
  }

  private friendQuery(db: Kysely<Database> | Trx = this.db) {
    return db
      .selectFrom('contacts')
      .innerJoin('users', 'users.id', 'contacts.peer_id')
      .select([
        'contacts.peer_id',
        'contacts.remark',
        'contacts.created_at',
        'users.username',
        'users.nickname',
        'users.avatar',
      ]);
  }

  friend(userId: string, peerId: string) {
    return this.friendQuery()
      .where('contacts.user_id', '=', userId)
      .where('contacts.peer_id', '=', peerId)
      .executeTakeFirst();
  }

  async friends(userId: string, page: PageRequest) {
    return keysetPage(
      this.friendQuery().where('contacts.user_id', '=', userId),
      'contacts.created_at',
      'contacts.peer_id',
      'asc',
      page,
    ).execute();
  }

  async friendIdsAmong(userId: string, peerIds: readonly string[]) {
    if (peerIds.length === 0) return new Set<string>();
    const rows = await this.db
      .selectFrom('contacts')
      .select('peer_id')
      .where('user_id', '=', userId)
      .where('peer_id', 'in', [...peerIds])
      .execute();
    return new Set(rows.map((r) => r.peer_id));
  }

  async setRemark(userId: string, peerId: string, remark: string, now: number, events: (f: FriendRow) => EventSpec[]) {
    return runTx(this.db, this.dialect, async (trx) => {
      // Both users, as for every contact change: a racing unfriend either precedes or follows.
      await lockUsers(trx, [userId, peerId]);
      const before = await this.friendQuery(trx)
        .where('contacts.user_id', '=', userId)
        .where('contacts.peer_id', '=', peerId)
        .executeTakeFirst();
      if (!before) return { value: undefined, events: [] };
      if (before.remark === remark) return { value: before, events: [] };
      await trx
        .updateTable('contacts')
        .set({ remark })
        .where('user_id', '=', userId)
        .where('peer_id', '=', peerId)
        .execute();
      const after = { ...before, remark };
      return { value: after, events: await appendEvents(trx, events(after), now) };
    });
  }

  async removeFriend(userId: string, peerId: string, now: number, events: EventSpec[]) {
    return runTx(this.db, this.dialect, async (trx) => {
      await lockUsers(trx, [userId, peerId]);
      const res = await trx
        .deleteFrom('contacts')
        .where((eb) =>
          eb.or([
            eb.and([eb('user_id', '=', userId), eb('peer_id', '=', peerId)]),
            eb.and([eb('user_id', '=', peerId), eb('peer_id', '=', userId)]),
          ]),
        )
        .executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) return { value: false, events: [] };
      return { value: true, events: await appendEvents(trx, events, now) };
    });
  }

  async blocks(userId: string, page: PageRequest) {
    const q = this.db
      .selectFrom('blocks')
      .innerJoin('users', 'users.id', 'blocks.blocked_id')
      .select([
        'blocks.user_id',
        'blocks.blocked_id',
        'blocks.created_at',
        'users.username',
        'users.nickname',
        'users.avatar',
      ])
      .where('blocks.user_id', '=', userId);
    return keysetPage(q, 'blocks.created_at', 'blocks.blocked_id', 'asc', page).execute();
  }

  async blockedBy(userId: string, ids: readonly string[]) {
    if (ids.length === 0) return new Set<string>();
    const rows = await this.db
      .selectFrom('blocks')
      .select('user_id')
      .where('blocked_id', '=', userId)
      .where('user_id', 'in', [...ids])
      .execute();
    return new Set(rows.map((r) => r.user_id));
  }

  async block(userId: string, targetId: string, now: number, events: (canceled: ContactRequestRow[]) => EventSpec[]) {
    return runTx(this.db, this.dialect, async (trx) => {
      await lockUsers(trx, [userId, targetId]);
      const fresh = await insertIgnore(
        trx,
        this.dialect,
        'blocks',
        { user_id: userId, blocked_id: targetId, created_at: now },
        ['user_id', 'blocked_id'],
      );
      if (!fresh) return { value: [], events: [] };
      const pending = await trx
        .selectFrom('contact_requests')
        .selectAll()
        .where('pending_key', '=', pairKey(userId, targetId))
        .execute();
      const canceled: ContactRequestRow[] = [];
      for (const p of pending) {
        // A request the blocked user sent looks declined to them (a decline, not a block).
        const status = p.from_id === userId ? 'canceled' : 'declined';
        const res = await trx
          .updateTable('contact_requests')
          .set({ status, pending_key: null, updated_at: now })
          .where('id', '=', p.id)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) === 1) canceled.push({ ...p, status, pending_key: null, updated_at: now });
      }
      return { value: canceled, events: await appendEvents(trx, events(canceled), now) };
    });
  }

  async unblock(userId: string, targetId: string, now: number, events: EventSpec[]) {
    return runTx(this.db, this.dialect, async (trx) => {
      await lockUsers(trx, [userId, targetId]);
      const res = await trx
        .deleteFrom('blocks')
        .where('user_id', '=', userId)
        .where('blocked_id', '=', targetId)
        .executeTakeFirst();
      if (Number(res.numDeletedRows) !== 1) return { value: false, events: [] };
      return { value: true, events: await appendEvents(trx, events, now) };
    });
  }
}
