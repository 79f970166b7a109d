import { type Kysely, type Selectable, sql } from 'kysely';
import { MESSAGE_KINDS } from '@parley/client';
import type { DialectName } from './db.js';
import type { EntryRow, UserEventRow } from './log.js';
import type { ConversationMembersTable, ConversationsTable, Database } from './schema.js';
import { shapesOf } from './shape-cache.js';

export type ConversationRow = Selectable<ConversationsTable>;
export type MemberRow = Selectable<ConversationMembersTable>;

/** A user's membership of a conversation together with the conversation's seq range. */
export interface MembershipView {
  conversationId: string;
  kind: 'dm' | 'group';
  maxSeq: number;
  minSeq: number;
  readSeq: number;
  joinedSeq: number;
  leftSeq: number | null;
  muted: boolean;
  pinned: boolean;
  /**
   * Direct chats: the other member's read position (0 when they have no member row). Absent for
   * groups, and where the view was not read by {@link ConversationRepo.memberships}.
   */
  peerReadSeq?: number;
  /** Direct chats: the other member's delivered position (0 without a row); like `peerReadSeq`. */
  peerDeliveredSeq?: number;
}

/**
 * Reads of conversations and their entries, and the per-member rows (read position, mute,
 * pin). Seq ranges are inclusive/exclusive as named; entries come back in ascending seq order.
 */
export interface ConversationRepo {
  get(id: string): Promise<ConversationRow | undefined>;
  member(conversationId: string, userId: string): Promise<MemberRow | undefined>;
  /** Every conversation the user has a member row in (DMs and groups, departed ones too); DMs carry `peerReadSeq`. */
  memberships(userId: string): Promise<MembershipView[]>;
  /** Entries with `after < seq <= upTo`, ascending, at most `limit`. */
  entriesAfter(conversationId: string, after: number, upTo: number, limit: number): Promise<EntryRow[]>;
  /** The latest entries with `floor < seq < before`, returned ascending, at most `limit`. */
  entriesBefore(conversationId: string, before: number, floor: number, limit: number): Promise<EntryRow[]>;
  entry(conversationId: string, seq: number): Promise<EntryRow | undefined>;
  /** The entry a sender stored under a clientId (the dedup key), if any. */
  byClientId(senderId: string, clientId: string): Promise<EntryRow | undefined>;
  /** Messages (`MESSAGE_KINDS`: not recall/edit/system) from others, not recalled, with `after < seq <= upTo`, counted up to `cap`. */
  unread(conversationId: string, userId: string, after: number, upTo: number, cap: number): Promise<number>;
  /** Moves the read position forward only; creates the member row when missing. Returns the stored position. */
  markRead(conversationId: string, userId: string, seq: number, now: number): Promise<number>;
  setFlags(
    conversationId: string,
    userId: string,
    flags: { muted?: boolean; pinned?: boolean },
    now: number,
  ): Promise<void>;
  /** Per-user event log rows with seq > after, ascending, at most `limit`. */
  events(userId: string, after: number, limit: number): Promise<UserEventRow[]>;
  eventSeq(userId: string): Promise<number>;
}

export class KyselyConversationRepo implements ConversationRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  get(id: string) {
    return this.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
  }

  member(conversationId: string, userId: string) {
    return this.db
      .selectFrom('conversation_members')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
  }

  async memberships(userId: string): Promise<MembershipView[]> {
    // The peer's row rides along in the same query: a summary list must not cost a read per DM.
    const build = () =>
      this.db
        .selectFrom('conversation_members as m')
        .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
        .leftJoin('conversation_members as p', (j) =>
          j
            .onRef('p.conversation_id', '=', 'm.conversation_id')
            .onRef('p.user_id', '!=', 'm.user_id')
            .on('c.kind', '=', 'dm'),
        )
        .select([
          'm.conversation_id',
          'c.kind',
          'c.max_seq',
          'c.min_seq',
          'm.read_seq',
          'm.joined_seq',
          'm.left_seq',
          'm.muted',
          'm.pinned',
          'p.read_seq as peer_read_seq',
          'p.delivered_seq as peer_delivered_seq',
        ])
        .where('m.user_id', '=', userId)
        .orderBy('m.conversation_id');
    type Row = Awaited<ReturnType<ReturnType<typeof build>['execute']>>[number];
    const { rows } = await shapesOf(this.db).execute<Row>(this.db, 'conversations.memberships', ['dm', userId], build);
    return rows.map((r) => {
      const v: MembershipView = {
        conversationId: r.conversation_id,
        kind: r.kind,
        maxSeq: Number(r.max_seq),
        minSeq: Number(r.min_seq),
        readSeq: Number(r.read_seq),
        joinedSeq: Number(r.joined_seq),
        leftSeq: r.left_seq == null ? null : Number(r.left_seq),
        muted: Number(r.muted) === 1,
        pinned: Number(r.pinned) === 1,
      };
      if (r.kind === 'dm') v.peerReadSeq = Number(r.peer_read_seq ?? 0);
      if (r.kind === 'dm') v.peerDeliveredSeq = Number(r.peer_delivered_seq ?? 0);
      return v;
    });
  }

  entriesAfter(conversationId: string, after: number, upTo: number, limit: number) {
    return this.db
      .selectFrom('entries')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('seq', '>', after)
      .where('seq', '<=', upTo)
      .orderBy('seq', 'asc')
      .limit(limit)
      .execute();
  }

  async entriesBefore(conversationId: string, before: number, floor: number, limit: number) {
    const rows = await this.db
      .selectFrom('entries')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('seq', '<', before)
      .where('seq', '>', floor)
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    return rows.reverse();
  }

  entry(conversationId: string, seq: number) {
    return this.db
      .selectFrom('entries')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('seq', '=', seq)
      .executeTakeFirst();
  }

  byClientId(senderId: string, clientId: string) {
    return this.db
      .selectFrom('entries')
      .selectAll()
      .where('sender_id', '=', senderId)
      .where('client_id', '=', clientId)
      .executeTakeFirst();
  }

  async unread(conversationId: string, userId: string, after: number, upTo: number, cap: number) {
    if (upTo <= after) return 0;
    // Counting over a capped sub-select keeps a huge backlog from costing a full scan.
    const inner = this.db
      .selectFrom('entries')
      .select('seq')
      .where('conversation_id', '=', conversationId)
      .where('seq', '>', after)
      .where('seq', '<=', upTo)
      .where('kind', 'in', MESSAGE_KINDS)
      .where('recalled_at', 'is', null)
      .where((eb) => eb.or([eb('sender_id', 'is', null), eb('sender_id', '!=', userId)]))
      .limit(cap)
      .as('u');
    const row = await this.db
      .selectFrom(inner)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  private async ensureMember(conversationId: string, userId: string, now: number) {
    const insert = this.db.insertInto('conversation_members').values({
      conversation_id: conversationId,
      user_id: userId,
      read_seq: 0,
      muted: 0,
      pinned: 0,
      joined_seq: 0,
      left_seq: null,
      updated_at: now,
    });
    await (this.dialect === 'mysql'
      ? insert.onDuplicateKeyUpdate({ user_id: sql`user_id` })
      : insert.onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doNothing())
    ).execute();
  }

  async markRead(conversationId: string, userId: string, seq: number, now: number) {
    await this.ensureMember(conversationId, userId, now);
    await this.db
      .updateTable('conversation_members')
      .set({ read_seq: seq, updated_at: now })
      .where('conversation_id', '=', conversationId)
      .where('user_id', '=', userId)
      .where('read_seq', '<', seq)
      .execute();
    const row = await this.member(conversationId, userId);
    return Number(row?.read_seq ?? 0);
  }

  async setFlags(conversationId: string, userId: string, flags: { muted?: boolean; pinned?: boolean }, now: number) {
    await this.ensureMember(conversationId, userId, now);
    const set: { muted?: number; pinned?: number; updated_at: number } = { updated_at: now };
    if (flags.muted !== undefined) set.muted = flags.muted ? 1 : 0;
    if (flags.pinned !== undefined) set.pinned = flags.pinned ? 1 : 0;
    await this.db
      .updateTable('conversation_members')
      .set(set)
      .where('conversation_id', '=', conversationId)
      .where('user_id', '=', userId)
      .execute();
  }

  events(userId: string, after: number, limit: number) {
    return this.db
      .selectFrom('user_events')
      .selectAll()
      .where('user_id', '=', userId)
      .where('seq', '>', after)
      .orderBy('seq', 'asc')
      .limit(limit)
      .execute();
  }

  async eventSeq(userId: string) {
    const { rows } = await shapesOf(this.db).execute<{ event_seq: number }>(
      this.db,
      'conversations.eventSeq',
      [userId],
      () => this.db.selectFrom('users').select('event_seq').where('id', '=', userId),
    );
    return Number(rows[0]?.event_seq ?? 0);
  }
}
