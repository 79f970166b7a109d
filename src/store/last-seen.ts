import type { Kysely } from 'kysely';
import type { Database, LastSeenPrivacy } from './schema.js';

export interface LastSeenRow {
  id: string;
  last_seen_at: number | null;
  last_seen_privacy: LastSeenPrivacy;
}

/**
 * When each user's last device went offline, and who may see it (`users.last_seen_at`,
 * `users.last_seen_privacy`; the privacy is written through `UserRepo.update`).
 *
 * Contract: `record` only ever moves the time forward (a late or repeated report of an older
 * transition, from another node or a reconciliation, changes nothing); `of` reads many users in
 * one query and leaves out ids that do not exist.
 */
export interface LastSeenRepo {
  record(userId: string, at: number): Promise<void>;
  of(userIds: readonly string[]): Promise<LastSeenRow[]>;
}

export class KyselyLastSeenRepo implements LastSeenRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async record(userId: string, at: number) {
    await this.db
      .updateTable('users')
      .set({ last_seen_at: at })
      .where('id', '=', userId)
      .where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<', at)]))
      .execute();
  }

  async of(userIds: readonly string[]) {
    if (userIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('users')
      .select(['id', 'last_seen_at', 'last_seen_privacy'])
      .where('id', 'in', [...new Set(userIds)])
      .execute();
    return rows.map((r) => ({
      id: r.id,
      last_seen_at: r.last_seen_at === null ? null : Number(r.last_seen_at),
      last_seen_privacy: r.last_seen_privacy,
    }));
  }
}
