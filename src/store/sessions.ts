import type { Kysely, Selectable } from 'kysely';
import type { Database, SessionsTable } from './schema.js';
import { shapesOf } from './shape-cache.js';

export type SessionRow = Selectable<SessionsTable>;

/**
 * Login sessions. Only the SHA-256 of a token is stored. A session is live while not revoked
 * and not expired; `touch` slides its expiry forward.
 */
export interface SessionRepo {
  create(s: SessionRow): Promise<void>;
  /** The live session for a token hash, or undefined (revoked, expired or unknown). */
  byTokenHash(hash: string, now: number): Promise<SessionRow | undefined>;
  byId(id: string): Promise<SessionRow | undefined>;
  /** Live sessions of a user, newest first. */
  listLive(userId: string, now: number): Promise<SessionRow[]>;
  touch(id: string, now: number, expiresAt: number): Promise<void>;
  /** Revokes one session of the user; false if it was not theirs or already ended. */
  revoke(userId: string, id: string, now: number): Promise<boolean>;
  /** Revokes every live session of the user except `keepId`; returns the revoked ids. */
  revokeAllExcept(userId: string, keepId: string | null, now: number): Promise<string[]>;
}

export class KyselySessionRepo implements SessionRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async create(s: SessionRow) {
    await this.db.insertInto('sessions').values(s).execute();
  }

  async byTokenHash(hash: string, now: number) {
    const { rows } = await shapesOf(this.db).execute<SessionRow>(this.db, 'sessions.byTokenHash', [hash, now], () =>
      this.db
        .selectFrom('sessions')
        .selectAll()
        .where('token_hash', '=', hash)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now),
    );
    return rows[0];
  }

  byId(id: string) {
    return this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  listLive(userId: string, now: number) {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
  }

  async touch(id: string, now: number, expiresAt: number) {
    await this.db
      .updateTable('sessions')
      .set({ last_seen_at: now, expires_at: expiresAt })
      .where('id', '=', id)
      .execute();
  }

  async revoke(userId: string, id: string, now: number) {
    const r = await this.db
      .updateTable('sessions')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async revokeAllExcept(userId: string, keepId: string | null, now: number) {
    return this.db.transaction().execute(async (trx) => {
      let q = trx.selectFrom('sessions').select('id').where('user_id', '=', userId).where('revoked_at', 'is', null);
      if (keepId) q = q.where('id', '!=', keepId);
      const ids = (await q.execute()).map((r) => r.id);
      if (ids.length) await trx.updateTable('sessions').set({ revoked_at: now }).where('id', 'in', ids).execute();
      return ids;
    });
  }
}
