import type { Kysely, Selectable } from 'kysely';
import type { DialectName } from './db.js';
import type { AccountCodesTable, Database, UserTotpTable } from './schema.js';
import { runTx } from './social-tx.js';

export type TotpRow = Selectable<UserTotpTable>;
export type AccountCodeRow = Selectable<AccountCodesTable>;

/**
 * TOTP secrets, recovery codes and one-time account codes. Every "use" is one conditional
 * UPDATE, so two requests racing with the same code cannot both succeed. Contract:
 * - `startEnrolment` stores a fresh pending secret (replacing a pending one); false, storing
 *   nothing, when TOTP is already enabled.
 * - `enable` turns a pending secret on, records `step` as used and replaces the recovery codes,
 *   in one transaction; false when there was no pending secret.
 * - `useStep` accepts a time step only if it is later than every step accepted before (a code is
 *   good once); false otherwise.
 * - `useRecoveryCode` marks an unused code of the user used; false when there is none.
 * - `disable` removes the secret and the recovery codes.
 * - `createCode` stores a code; `revokeCodes` ends the user's unused codes of a purpose.
 * - `peekCode` reads a live code (unused, unexpired) without using it; `useCode` uses it
 *   (true once, for the request that used it).
 */
export interface TwoFactorRepo {
  totp(userId: string): Promise<TotpRow | undefined>;
  startEnrolment(userId: string, secret: string, now: number): Promise<boolean>;
  enable(userId: string, step: number, recoveryHashes: string[], now: number): Promise<boolean>;
  useStep(userId: string, step: number): Promise<boolean>;
  useRecoveryCode(userId: string, hash: string, now: number): Promise<boolean>;
  recoveryCodesLeft(userId: string): Promise<number>;
  disable(userId: string): Promise<void>;
  createCode(row: AccountCodeRow): Promise<void>;
  revokeCodes(userId: string, purpose: AccountCodeRow['purpose'], now: number): Promise<void>;
  peekCode(hash: string, purpose: AccountCodeRow['purpose'], now: number): Promise<AccountCodeRow | undefined>;
  useCode(hash: string, purpose: AccountCodeRow['purpose'], now: number): Promise<boolean>;
}

export class KyselyTwoFactorRepo implements TwoFactorRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  totp(userId: string) {
    return this.db.selectFrom('user_totp').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  startEnrolment(userId: string, secret: string, now: number) {
    return runTx(this.db, this.dialect, async (trx) => {
      const cur = await trx.selectFrom('user_totp').selectAll().where('user_id', '=', userId).executeTakeFirst();
      if (cur?.enabled_at != null) return false;
      if (cur) await trx.deleteFrom('user_totp').where('user_id', '=', userId).execute();
      await trx
        .insertInto('user_totp')
        .values({ user_id: userId, secret, enabled_at: null, last_step: 0, created_at: now })
        .execute();
      return true;
    });
  }

  enable(userId: string, step: number, recoveryHashes: string[], now: number) {
    return runTx(this.db, this.dialect, async (trx) => {
      const r = await trx
        .updateTable('user_totp')
        .set({ enabled_at: now, last_step: step })
        .where('user_id', '=', userId)
        .where('enabled_at', 'is', null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      await trx
        .insertInto('recovery_codes')
        .values(recoveryHashes.map((h) => ({ code_hash: h, user_id: userId, used_at: null, created_at: now })))
        .execute();
      return true;
    });
  }

  async useStep(userId: string, step: number) {
    const r = await this.db
      .updateTable('user_totp')
      .set({ last_step: step })
      .where('user_id', '=', userId)
      .where('enabled_at', 'is not', null)
      .where('last_step', '<', step)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async useRecoveryCode(userId: string, hash: string, now: number) {
    const r = await this.db
      .updateTable('recovery_codes')
      .set({ used_at: now })
      .where('code_hash', '=', hash)
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async recoveryCodesLeft(userId: string) {
    const r = await this.db
      .selectFrom('recovery_codes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  disable(userId: string) {
    return runTx(this.db, this.dialect, async (trx) => {
      await trx.deleteFrom('user_totp').where('user_id', '=', userId).execute();
      await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
    });
  }

  async createCode(row: AccountCodeRow) {
    await this.db.insertInto('account_codes').values(row).execute();
  }

  async revokeCodes(userId: string, purpose: AccountCodeRow['purpose'], now: number) {
    await this.db
      .updateTable('account_codes')
      .set({ used_at: now })
      .where('user_id', '=', userId)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .execute();
  }

  peekCode(hash: string, purpose: AccountCodeRow['purpose'], now: number) {
    return this.db
      .selectFrom('account_codes')
      .selectAll()
      .where('code_hash', '=', hash)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
  }

  async useCode(hash: string, purpose: AccountCodeRow['purpose'], now: number) {
    const r = await this.db
      .updateTable('account_codes')
      .set({ used_at: now })
      .where('code_hash', '=', hash)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
