import { fail } from '../domain/errors.js';
import { userTopic } from '../domain/topics.js';
import type { ServiceDeps } from './deps.js';
import type { PasswordHasher } from './passwords.js';
import { throttle } from './throttle.js';
import { normalizeRecovery, recoveryCode, sha256Hex } from './two-factor.js';

/** How long an operator's reset code stays good. */
const RESET_TTL_MS = 24 * 60 * 60_000;
/** Redemption attempts per client address: 10 at once, one more a minute (codes have 80 bits). */
const REDEEM_BUDGET = { count: 10, perSecond: 1 / 60 };

/**
 * Password recovery. An operator issues a one-time reset code (`parley user reset-password`):
 * 80 random bits, stored as SHA-256, single use, expiring after a day, and replacing any earlier
 * code; nothing secret is ever typed on the command line. The user redeems it with a new
 * password (`POST /auth/reset`): every session ends. Wrong, used and expired codes get the same
 * `INVALID_CODE`; attempts are metered per address.
 */
export class AccountRecovery {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly hasher: PasswordHasher,
  ) {}

  /** Operator action: a fresh reset code for the account (earlier ones stop working). */
  async issueReset(login: string): Promise<{ userId: string; username: string; code: string; expiresAt: number }> {
    const user = await this.deps.store.users.byLogin(login);
    if (!user || user.deleted_at != null) throw fail('USER_NOT_FOUND', 'No such user');
    return this.issueResetFor(user.id);
  }

  /** A fresh reset code for the account with this id (the e-mail reset uses it). */
  async issueResetFor(userId: string): Promise<{ userId: string; username: string; code: string; expiresAt: number }> {
    const { store, clock } = this.deps;
    const user = await store.users.byId(userId);
    if (!user || user.deleted_at != null) throw fail('USER_NOT_FOUND', 'No such user');
    const now = clock.now();
    await store.twoFactor.revokeCodes(user.id, 'reset', now);
    const code = recoveryCode();
    const expiresAt = now + RESET_TTL_MS;
    await store.twoFactor.createCode({
      code_hash: sha256Hex(normalizeRecovery(code)),
      user_id: user.id,
      purpose: 'reset',
      email: null,
      created_at: now,
      expires_at: expiresAt,
      used_at: null,
    });
    return { userId: user.id, username: user.username, code, expiresAt };
  }

  /** Sets a new password with a reset code; every session of the account ends. */
  async redeemReset(code: string, password: string, meta: { ip: string }): Promise<void> {
    const { store, clock, limiter } = this.deps;
    await throttle(limiter, `reset:ip:${meta.ip}`, REDEEM_BUDGET, 'Too many reset attempts; try again later');
    const hash = sha256Hex(normalizeRecovery(code));
    const now = clock.now();
    const c = await store.twoFactor.peekCode(hash, 'reset', now);
    const user = c && (await store.users.byId(c.user_id));
    if (!c || !user || user.deleted_at != null) throw fail('INVALID_CODE', 'This reset code is wrong, used or expired');
    // Hash first (slow), then use the code: a failure in between leaves the code usable.
    const passwordHash = await this.hasher.hash(password);
    if (!(await store.twoFactor.useCode(hash, 'reset', clock.now())))
      throw fail('INVALID_CODE', 'This reset code is wrong, used or expired');
    await store.users.setPasswordHash(user.id, passwordHash, clock.now());
    const revoked = await store.sessions.revokeAllExcept(user.id, null, clock.now());
    if (revoked.length) {
      try {
        await this.deps.bus.publish(userTopic(user.id), {
          type: 'sessions.revoked',
          userId: user.id,
          sessionIds: revoked,
        });
      } catch (err) {
        this.deps.log.warn({ err, userId: user.id }, 'could not announce revoked sessions');
      }
    }
  }
}
