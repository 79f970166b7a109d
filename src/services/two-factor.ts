import { createHash, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import type { PrivateUser } from '@parley/client';
import { fail } from '../domain/errors.js';
import { newToken } from '../domain/ids.js';
import type { UserRow } from '../store/users.js';
import type { Actor, ClientMeta } from './accounts.js';
import type { ServiceDeps } from './deps.js';
import type { PasswordHasher } from './passwords.js';
import { throttle } from './throttle.js';
import { privateUser } from './users-view.js';

const PERIOD_S = 30;
/** Codes of the previous and next time step pass too (clock drift of the phone). */
const WINDOW = 1;
const RECOVERY_CODES = 10;
/** How long the second sign-in step may wait for its code. */
const CHALLENGE_TTL_MS = 5 * 60_000;
/** Code attempts per account (enrolment, sign-in, disabling): 5 at once, one more a minute. */
const CODE_BUDGET = { count: 5, perSecond: 1 / 60 };

export const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');

const B32 = 'abcdefghijkmnpqrstuvwxyz23456789';
/** A recovery code: 80 random bits as 16 characters in four groups (`abcd-efgh-jkmn-pqrs`). */
export function recoveryCode(): string {
  const bytes = randomBytes(10);
  let bits = 0;
  let acc = 0;
  let out = '';
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join('-');
}
export const normalizeRecovery = (code: string) => code.toLowerCase().replace(/[^a-z0-9]/g, '');

export interface Enrolment {
  /** Base32 secret, for typing into an authenticator by hand. */
  secret: string;
  /** The `otpauth://totp/...` URI the QR code holds. */
  uri: string;
  /** The QR code as an SVG data URL. */
  qr: string;
}

export interface LoginChallenge {
  challenge: string;
  expiresAt: number;
}

export type StartSession = (user: UserRow, meta: ClientMeta) => Promise<{ token: string; sessionId: string }>;

/**
 * Opt-in two-factor sign-in with TOTP (RFC 6238: SHA-1, 6 digits, 30 s). Enrolment stores a
 * pending secret that only a confirming code enables; confirming hands out ten single-use
 * recovery codes (stored as SHA-256: 80 random bits each). Login with the password then answers
 * with a short-lived challenge instead of a session; the challenge plus a code (or a recovery
 * code) completes it. Each accepted time step is recorded, so the same code never works twice.
 * Code attempts are metered per account; disabling needs the password and a code.
 */
export class TwoFactorService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly hasher: PasswordHasher,
    private readonly startSession: StartSession,
  ) {}

  private get now() {
    return this.deps.clock.now();
  }

  async status(actor: Actor): Promise<{ totp: boolean; recoveryCodesLeft: number }> {
    const { twoFactor } = this.deps.store;
    const t = await twoFactor.totp(actor.userId);
    const on = t?.enabled_at != null;
    return { totp: on, recoveryCodesLeft: on ? await twoFactor.recoveryCodesLeft(actor.userId) : 0 };
  }

  async startEnrolment(actor: Actor, password: string): Promise<Enrolment> {
    const user = await this.confirmPassword(actor, password);
    const secret = new Secret({ size: 20 }).base32;
    if (!(await this.deps.store.twoFactor.startEnrolment(user.id, secret, this.now)))
      throw fail('TOTP_ALREADY_ENABLED', 'Two-factor sign-in is already on; disable it first');
    const uri = this.totp(secret, user.username).toString();
    const svg = await QRCode.toString(uri, { type: 'svg', margin: 1 });
    return { secret, uri, qr: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
  }

  /** Turns a pending enrolment on with a current code; returns the recovery codes (shown once). */
  async confirm(actor: Actor, code: string): Promise<{ recoveryCodes: string[] }> {
    const { store } = this.deps;
    const me = actor.userId;
    const t = await store.twoFactor.totp(me);
    if (!t || t.enabled_at != null) throw fail('TOTP_NOT_PENDING', 'Start enrolment first');
    await this.spendAttempt(me);
    const step = this.stepOf(t.secret, code);
    if (step === undefined) throw fail('INVALID_CODE', 'That code is not right; check the clock of your phone');
    const codes = Array.from({ length: RECOVERY_CODES }, recoveryCode);
    if (
      !(await store.twoFactor.enable(
        me,
        step,
        codes.map((c) => sha256Hex(normalizeRecovery(c))),
        this.now,
      ))
    )
      throw fail('TOTP_NOT_PENDING', 'Start enrolment first');
    return { recoveryCodes: codes };
  }

  async disable(actor: Actor, password: string, code: string): Promise<void> {
    const user = await this.confirmPassword(actor, password);
    const t = await this.deps.store.twoFactor.totp(user.id);
    if (t?.enabled_at == null) throw fail('TOTP_NOT_ENABLED', 'Two-factor sign-in is not on');
    if (!(await this.checkCode(user.id, t.secret, code)))
      throw fail('INVALID_CODE', 'That code is not right or was used already');
    await this.deps.store.twoFactor.disable(user.id);
  }

  /** Called by login after the password matched: a challenge when the account has TOTP on. */
  async challengeFor(user: UserRow): Promise<LoginChallenge | undefined> {
    const t = await this.deps.store.twoFactor.totp(user.id);
    if (t?.enabled_at == null) return undefined;
    const challenge = newToken();
    const expiresAt = this.now + CHALLENGE_TTL_MS;
    await this.deps.store.twoFactor.createCode({
      code_hash: sha256Hex(challenge),
      user_id: user.id,
      purpose: 'login',
      email: null,
      created_at: this.now,
      expires_at: expiresAt,
      used_at: null,
    });
    return { challenge, expiresAt };
  }

  /** The second sign-in step: the challenge from login plus a TOTP or recovery code. */
  async completeLogin(
    challenge: string,
    code: string,
    meta: ClientMeta,
  ): Promise<{ user: PrivateUser; token: string; sessionId: string }> {
    const { store } = this.deps;
    const hash = sha256Hex(challenge);
    const c = await store.twoFactor.peekCode(hash, 'login', this.now);
    if (!c) throw fail('INVALID_CODE', 'The sign-in step expired; log in again');
    const [user, t] = await Promise.all([store.users.byId(c.user_id), store.twoFactor.totp(c.user_id)]);
    if (!user || user.deleted_at != null || t?.enabled_at == null)
      throw fail('INVALID_CODE', 'The sign-in step expired; log in again');
    if (user.disabled_at != null) throw fail('ACCOUNT_DISABLED', 'This account is disabled');
    if (!(await this.checkCode(user.id, t.secret, code)))
      throw fail('INVALID_CODE', 'That code is not right or was used already');
    if (!(await store.twoFactor.useCode(hash, 'login', this.now)))
      throw fail('INVALID_CODE', 'The sign-in step expired; log in again');
    const { token, sessionId } = await this.startSession(user, meta);
    return { user: privateUser(user), token, sessionId };
  }

  /** A TOTP code (used once) or an unused recovery code (used up). Spends an attempt first. */
  private async checkCode(userId: string, secret: string, code: string): Promise<boolean> {
    await this.spendAttempt(userId);
    const { twoFactor } = this.deps.store;
    if (/^\d{6}$/.test(code)) {
      const step = this.stepOf(secret, code);
      return step !== undefined && (await twoFactor.useStep(userId, step));
    }
    const norm = normalizeRecovery(code);
    if (norm.length !== 16) return false;
    return twoFactor.useRecoveryCode(userId, sha256Hex(norm), this.now);
  }

  /** The time step a code belongs to (within the window), or undefined. */
  private stepOf(secret: string, code: string): number | undefined {
    if (!/^\d{6}$/.test(code)) return undefined;
    const now = this.now;
    const delta = this.totp(secret, '').validate({ token: code, timestamp: now, window: WINDOW });
    return delta === null ? undefined : Math.floor(now / 1000 / PERIOD_S) + delta;
  }

  private totp(secret: string, label: string) {
    return new TOTP({
      issuer: 'Parley',
      label: label || 'Parley',
      algorithm: 'SHA1',
      digits: 6,
      period: PERIOD_S,
      secret: Secret.fromBase32(secret),
    });
  }

  private spendAttempt(userId: string) {
    return throttle(this.deps.limiter, `2fa:${userId}`, CODE_BUDGET, 'Too many code attempts; try again later');
  }

  private async confirmPassword(actor: Actor, password: string): Promise<UserRow> {
    const user = await this.deps.store.users.byId(actor.userId);
    if (!user || user.deleted_at != null) throw fail('UNAUTHENTICATED', 'The account no longer exists');
    await this.spendAttempt(user.id);
    if (!(await this.hasher.verify(user.password_hash, password)))
      throw fail('INVALID_CREDENTIALS', 'The password is wrong');
    return user;
  }
}
