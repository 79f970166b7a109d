import type { Kysely, Selectable } from 'kysely';
import { fail } from '../domain/errors.js';
import type { DialectName } from './db.js';
import { isUniqueViolation } from './dialect.js';
import type { Database, PushSubscriptionsTable } from './schema.js';
import { lockUsers, runTx } from './social-tx.js';

export type PushSubscriptionRow = Selectable<PushSubscriptionsTable>;

/** A subscription as listed to its owner: with the device name of the session that made it. */
export interface PushSubscriptionListing extends PushSubscriptionRow {
  device: string;
}

/**
 * Web Push subscriptions.
 *
 * Contract:
 * - A subscription belongs to one live session: every read (`listLive`, `targets`) ignores those
 *   whose session was revoked or expired, and `pruneEnded` deletes them.
 * - `save` is one transaction: it replaces any subscription with the same endpoint (whoever had
 *   it: a browser profile signed into another account) and the session's previous one, then
 *   inserts, unless the user would have more than `cap` (`TOO_MANY_SUBSCRIPTIONS`, nothing
 *   changed). The per-user row lock makes two racing saves respect the cap.
 * - `remove` deletes only the caller's own subscription.
 */
export interface PushSubscriptionRepo {
  save(row: PushSubscriptionRow, cap: number, now: number): Promise<void>;
  listLive(userId: string, now: number): Promise<PushSubscriptionListing[]>;
  /** The live subscriptions of these users. */
  targets(userIds: readonly string[], now: number): Promise<PushSubscriptionRow[]>;
  remove(userId: string, id: string): Promise<boolean>;
  /** Drops a subscription the push service said is gone (404/410), whoever owns it. */
  removeGone(id: string): Promise<void>;
  /** Deletes the user's subscriptions whose session ended; returns how many. */
  pruneEnded(userId: string, now: number): Promise<number>;
  /**
   * Members of a conversation who may get a push for an entry by `senderId`: current members
   * (not left) other than the sender, who did not mute it, do not block the sender, and have at
   * least one subscription.
   */
  recipients(conversationId: string, senderId: string | null): Promise<string[]>;
  markSent(ids: readonly string[], now: number): Promise<void>;
}

export class KyselyPushSubscriptionRepo implements PushSubscriptionRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  async save(row: PushSubscriptionRow, cap: number, now: number) {
    try {
      await this.saveTx(row, cap, now);
    } catch (e) {
      // Two accounts registering one endpoint at the same instant: one wins, the other is told.
      if (isUniqueViolation(e)) throw fail('CONFLICT', 'This push endpoint was registered at the same time; try again');
      throw e;
    }
  }

  private async saveTx(row: PushSubscriptionRow, cap: number, now: number) {
    await runTx(this.db, this.dialect, async (trx) => {
      await lockUsers(trx, [row.user_id]);
      await trx
        .deleteFrom('push_subscriptions')
        .where((eb) => eb.or([eb('endpoint_hash', '=', row.endpoint_hash), eb('session_id', '=', row.session_id)]))
        .execute();
      const live = await trx
        .selectFrom('push_subscriptions as p')
        .innerJoin('sessions as s', 's.id', 'p.session_id')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('p.user_id', '=', row.user_id)
        .where('s.revoked_at', 'is', null)
        .where('s.expires_at', '>', now)
        .executeTakeFirst();
      if (Number(live?.n ?? 0) >= cap)
        throw fail('TOO_MANY_SUBSCRIPTIONS', `At most ${cap} devices may receive notifications; remove one first`);
      await trx.insertInto('push_subscriptions').values(row).execute();
    });
  }

  async listLive(userId: string, now: number) {
    const rows = await this.db
      .selectFrom('push_subscriptions as p')
      .innerJoin('sessions as s', 's.id', 'p.session_id')
      .selectAll('p')
      .select('s.device')
      .where('p.user_id', '=', userId)
      .where('s.revoked_at', 'is', null)
      .where('s.expires_at', '>', now)
      .orderBy('p.created_at', 'desc')
      .orderBy('p.id')
      .execute();
    return rows.map(num);
  }

  async targets(userIds: readonly string[], now: number) {
    if (!userIds.length) return [];
    const rows = await this.db
      .selectFrom('push_subscriptions as p')
      .innerJoin('sessions as s', 's.id', 'p.session_id')
      .selectAll('p')
      .where('p.user_id', 'in', [...userIds])
      .where('s.revoked_at', 'is', null)
      .where('s.expires_at', '>', now)
      .execute();
    return rows.map(num);
  }

  async remove(userId: string, id: string) {
    const r = await this.db
      .deleteFrom('push_subscriptions')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async removeGone(id: string) {
    await this.db.deleteFrom('push_subscriptions').where('id', '=', id).execute();
  }

  async pruneEnded(userId: string, now: number) {
    const live = this.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now);
    // MySQL cannot delete from a table while selecting from the same one; this selects from
    // `sessions`, which it allows.
    const r = await this.db
      .deleteFrom('push_subscriptions')
      .where('user_id', '=', userId)
      .where('session_id', 'not in', live)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async recipients(conversationId: string, senderId: string | null) {
    let q = this.db
      .selectFrom('conversation_members as m')
      .innerJoin('push_subscriptions as p', 'p.user_id', 'm.user_id')
      .select('m.user_id')
      .distinct()
      .where('m.conversation_id', '=', conversationId)
      .where('m.left_seq', 'is', null)
      .where('m.muted', '=', 0);
    if (senderId) {
      q = q
        .where('m.user_id', '!=', senderId)
        .where('m.user_id', 'not in', (eb) =>
          eb.selectFrom('blocks').select('blocks.user_id').where('blocks.blocked_id', '=', senderId),
        );
    }
    return (await q.execute()).map((r) => r.user_id);
  }

  async markSent(ids: readonly string[], now: number) {
    if (ids.length)
      await this.db
        .updateTable('push_subscriptions')
        .set({ last_sent_at: now })
        .where('id', 'in', [...ids])
        .execute();
  }
}

/** bigint columns come back as strings on some drivers. */
function num<T extends PushSubscriptionRow>(r: T): T {
  return {
    ...r,
    hide_text: Number(r.hide_text),
    created_at: Number(r.created_at),
    last_sent_at: r.last_sent_at == null ? null : Number(r.last_sent_at),
  };
}
