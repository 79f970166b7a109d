import type { Kysely, Selectable } from 'kysely';
import type { Database, UserEmailsTable } from './schema.js';

export type UserEmailRow = Selectable<UserEmailsTable>;

/**
 * Users' e-mail addresses for self-service recovery. Contract: `set` replaces the user's address
 * with an unverified one; `verify` marks it verified only while it is still `email` (a code for
 * an address replaced since verifies nothing); `verifiedUsers` lists the users whose verified
 * address is `emailLc`.
 */
export interface UserEmailRepo {
  get(userId: string): Promise<UserEmailRow | undefined>;
  set(userId: string, email: string, now: number): Promise<void>;
  verify(userId: string, email: string, now: number): Promise<boolean>;
  verifiedUsers(emailLc: string): Promise<string[]>;
}

export class KyselyUserEmailRepo implements UserEmailRepo {
  constructor(private readonly db: Kysely<Database>) {}

  get(userId: string) {
    return this.db.selectFrom('user_emails').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  async set(userId: string, email: string, now: number) {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('user_emails').where('user_id', '=', userId).execute();
      await trx
        .insertInto('user_emails')
        .values({ user_id: userId, email, email_lc: email.toLowerCase(), verified_at: null, updated_at: now })
        .execute();
    });
  }

  async verify(userId: string, email: string, now: number) {
    const r = await this.db
      .updateTable('user_emails')
      .set({ verified_at: now, updated_at: now })
      .where('user_id', '=', userId)
      .where('email', '=', email)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async verifiedUsers(emailLc: string) {
    const rows = await this.db
      .selectFrom('user_emails')
      .select('user_id')
      .where('email_lc', '=', emailLc)
      .where('verified_at', 'is not', null)
      .execute();
    return rows.map((r) => r.user_id);
  }
}
