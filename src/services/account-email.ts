import { fail } from '../domain/errors.js';
import { newToken } from '../domain/ids.js';
import type { Actor } from './accounts.js';
import type { AccountRecovery } from './account-recovery.js';
import type { ServiceDeps } from './deps.js';
import { throttle } from './throttle.js';
import { sha256Hex } from './two-factor.js';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends one e-mail (SMTP in production: src/mail/smtp-mailer.ts); rejects when it could not. */
export interface Mailer {
  send(m: Mail): Promise<void>;
  close(): void;
}

const VERIFY_TTL_MS = 24 * 60 * 60_000;
/** Verification mails per account: 3 at once, one more every 20 minutes. */
const VERIFY_BUDGET = { count: 3, perSecond: 1 / 1200 };
/** Reset requests per address asked for, and per account mailed: 3 at once, one more every 20 minutes. */
const RESET_BUDGET = { count: 3, perSecond: 1 / 1200 };
/** Reset requests per client address. */
const RESET_IP_BUDGET = { count: 10, perSecond: 1 / 120 };

/**
 * Self-service recovery by e-mail (needs `PARLEY_SMTP_URL`). A user sets an address; a link with a
 * single-use, expiring code (256 bits, SHA-256 stored) verifies it. A reset request by address
 * answers the same (`202`) whether or not any account has it verified, and costs the same: the
 * mail is sent after the reply, and the lookup runs either way. Links carry the code in the URL
 * fragment (`/#/reset/<code>`, `/#/verify-email/<code>`), which browsers never send to a server,
 * so no access log sees it.
 */
export class AccountEmail {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly recovery: AccountRecovery,
    private readonly mailer: Mailer | undefined,
  ) {}

  async get(actor: Actor): Promise<{ email: string; verified: boolean } | { email: null; verified: false }> {
    const row = await this.deps.store.userEmails.get(actor.userId);
    return row ? { email: row.email, verified: row.verified_at != null } : { email: null, verified: false };
  }

  async set(actor: Actor, email: string): Promise<void> {
    const mailer = this.requireMailer();
    const { store, clock, limiter, config } = this.deps;
    const me = actor.userId;
    await throttle(limiter, `verifymail:${me}`, VERIFY_BUDGET, 'Too many verification e-mails; try again later');
    const now = clock.now();
    await store.userEmails.set(me, email, now);
    await store.twoFactor.revokeCodes(me, 'verify-email', now);
    const code = newToken();
    await store.twoFactor.createCode({
      code_hash: sha256Hex(code),
      user_id: me,
      purpose: 'verify-email',
      email,
      created_at: now,
      expires_at: now + VERIFY_TTL_MS,
      used_at: null,
    });
    await mailer.send({
      to: email,
      subject: 'Confirm your e-mail address for Parley',
      text: `Open this link to confirm this address for your Parley account:\n\n${config.publicUrl}/#/verify-email/${code}\n\nThe link works once, for 24 hours. If you did not ask for it, ignore this e-mail.\n`,
    });
  }

  async verify(code: string): Promise<void> {
    const { store, clock } = this.deps;
    const hash = sha256Hex(code);
    const c = await store.twoFactor.peekCode(hash, 'verify-email', clock.now());
    if (!c?.email || !(await store.twoFactor.useCode(hash, 'verify-email', clock.now())))
      throw fail('INVALID_CODE', 'This link is wrong, used or expired');
    if (!(await store.userEmails.verify(c.user_id, c.email, clock.now())))
      throw fail('INVALID_CODE', 'This link is for an address the account no longer has');
  }

  /** Always resolves the same way; a mail goes out only for a verified address, after the reply. */
  async requestReset(email: string, meta: { ip: string }): Promise<void> {
    const mailer = this.requireMailer();
    const { store, limiter, config, log } = this.deps;
    const lc = email.toLowerCase();
    await throttle(limiter, `resetmail:ip:${meta.ip}`, RESET_IP_BUDGET, 'Too many reset requests; try again later');
    await throttle(
      limiter,
      `resetmail:addr:${sha256Hex(lc)}`,
      RESET_BUDGET,
      'Too many reset requests; try again later',
    );
    const users = await store.userEmails.verifiedUsers(lc);
    const send = async () => {
      for (const userId of users) {
        const ok = await limiter.take(`resetmail:acct:${userId}`, RESET_BUDGET.perSecond, RESET_BUDGET.count);
        if (!ok.ok) continue;
        const r = await this.recovery.issueResetFor(userId);
        await mailer.send({
          to: email,
          subject: 'Reset your Parley password',
          text: `Someone asked to reset the password of the Parley account ${r.username}.\n\nOpen this link to choose a new password:\n\n${config.publicUrl}/#/reset/${r.code.replace(/-/g, '')}\n\nThe link works once, for 24 hours. If you did not ask for it, ignore this e-mail: your password stays as it is.\n`,
        });
      }
    };
    send().catch((err) => log.warn({ err }, 'reset e-mail not sent'));
  }

  private requireMailer(): Mailer {
    if (!this.mailer) throw fail('MAIL_NOT_CONFIGURED', 'This server sends no e-mail (PARLEY_SMTP_URL is not set)');
    return this.mailer;
  }
}
