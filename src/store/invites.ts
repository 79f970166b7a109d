import type { Kysely, Selectable } from 'kysely';
import type { GroupTxStep } from './group-writes.js';
import { type PageRequest, keysetPage } from './keyset.js';
import type { Database, GroupInvitesTable } from './schema.js';

export type InviteRow = Selectable<GroupInvitesTable>;

/**
 * Group invite links. Only the SHA-256 of a link's code is stored (`code_hash`, unique), so the
 * code is shown once, at creation, and a copy of the database joins nobody.
 *
 * Contract:
 * - `create` inserts a fresh row; `liveCount` counts a group's links that are not revoked (the
 *   caller bounds how many a group keeps).
 * - `list` pages a group's links newest first (keyset over `created_at`, `id`).
 * - `revoke` marks a link of that group revoked once (a second revoke keeps the first time) and
 *   returns the row, or undefined when the group has no such link.
 * - `claim` is a step for a group change's transaction: it takes one use of the link while the
 *   link is live at `now` (not revoked, not expired, uses left, of the locked group) with one
 *   conditional UPDATE, so two joins racing for the last use cannot both take it; otherwise it
 *   throws what `refuse` makes of the row as it is then, aborting the change.
 */
export interface InviteRepo {
  create(row: InviteRow): Promise<void>;
  byCodeHash(hash: string): Promise<InviteRow | undefined>;
  liveCount(groupId: string): Promise<number>;
  list(groupId: string, page: PageRequest): Promise<InviteRow[]>;
  revoke(groupId: string, id: string, now: number): Promise<InviteRow | undefined>;
  claim(id: string, now: number, refuse: (row: InviteRow | undefined) => Error): GroupTxStep;
}

export class KyselyInviteRepo implements InviteRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async create(row: InviteRow) {
    await this.db.insertInto('group_invites').values(row).execute();
  }

  byCodeHash(hash: string) {
    return this.db.selectFrom('group_invites').selectAll().where('code_hash', '=', hash).executeTakeFirst();
  }

  async liveCount(groupId: string) {
    const r = await this.db
      .selectFrom('group_invites')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('group_id', '=', groupId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  list(groupId: string, page: PageRequest) {
    const q = this.db.selectFrom('group_invites').selectAll().where('group_id', '=', groupId);
    return keysetPage(q, 'created_at', 'id', 'desc', page).execute();
  }

  async revoke(groupId: string, id: string, now: number) {
    await this.db
      .updateTable('group_invites')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('group_id', '=', groupId)
      .where('revoked_at', 'is', null)
      .execute();
    return this.db
      .selectFrom('group_invites')
      .selectAll()
      .where('id', '=', id)
      .where('group_id', '=', groupId)
      .executeTakeFirst();
  }

  claim(id: string, now: number, refuse: (row: InviteRow | undefined) => Error): GroupTxStep {
    return async (trx, s) => {
      const r = await trx
        .updateTable('group_invites')
        .set((eb) => ({ uses: eb('uses', '+', 1) }))
        .where('id', '=', id)
        .where('group_id', '=', s.group.id)
        .where('revoked_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .where((eb) => eb.or([eb('max_uses', 'is', null), eb('uses', '<', eb.ref('max_uses'))]))
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 1) return;
      const row = await trx
        .selectFrom('group_invites')
        .selectAll()
        .where('id', '=', id)
        .where('group_id', '=', s.group.id)
        .executeTakeFirst();
      throw refuse(row);
    };
  }
}
