import { createHash } from 'node:crypto';
import { fail } from '../domain/errors.js';
import { newId, newToken } from '../domain/ids.js';
import { groupConversationId } from '../domain/conversation-id.js';
import { userTopic } from '../domain/topics.js';
import type { PrivateUser, PublicUser, SessionView } from '@parley/client';
import type { SessionRow } from '../store/sessions.js';
import type { UserPatch, UserRow } from '../store/users.js';
import type { ServiceDeps } from './deps.js';
import type { LastSeenPrivacy } from '../domain/last-seen-rules.js';
import type { PasswordHasher } from './passwords.js';
import { throttle, timesBudget } from './throttle.js';
import { privateUser, publicUser } from './users-view.js';

export interface RegisterInput {
  username: string;
  password: string;
  nickname: string;
  mobile?: string;
  avatar?: string;
  gender?: string;
  bio?: string;
  device?: string;
}

/** `PATCH /me`: profile fields, and who may see my last seen time. */
export type ProfilePatch = Omit<UserPatch, 'last_seen_privacy'> & { lastSeen?: LastSeenPrivacy };

export interface ClientMeta {
  ip: string;
  device?: string;
}

/** The caller of any authenticated action: who, and through which session. */
export interface Actor {
  userId: string;
  sessionId: string;
}

/** Touch a session's last-seen time at most this often, so reads do not become writes. */
const TOUCH_EVERY_MS = 60_000;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** The profile fields others see: a change to any of them is announced (`user.updated`). */
const PUBLIC_FIELDS = ['nickname', 'avatar', 'bio', 'gender'] as const;

/**
 * Vets a media id named as a user's avatar (the media service implements it). Contract:
 * resolves only for an image media that user uploaded; otherwise throws a coded error
 * (`MEDIA_NOT_FOUND`, or `UNSUPPORTED_MEDIA_TYPE` for media that is not an image).
 */
export type AvatarCheck = (userId: string, mediaId: string) => Promise<void>;

/**
 * Asked after a login's password matched: a challenge when the account needs a second factor
 * (the two-factor service implements it), in which case login starts no session.
 */
export type SecondFactorGate = (user: UserRow) => Promise<{ challenge: string; expiresAt: number } | undefined>;

/**
 * Registration, login, sessions and profile. Login throttling counts failures per account and
 * address, per account, and per address, answering the same way whether the account exists.
 */
export class AccountService {
  // A real hash to verify against when the account does not exist, so both paths cost the same.
  private dummyHash: Promise<string>;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly hasher: PasswordHasher,
    private readonly avatarCheck: AvatarCheck,
    private readonly secondFactor?: SecondFactorGate,
  ) {
    this.dummyHash = hasher.hash(newToken());
  }

  async register(
    input: RegisterInput,
    meta: ClientMeta,
  ): Promise<{ user: PrivateUser; token: string; sessionId: string }> {
    const { store, clock, config, limiter } = this.deps;
    // Before any work: each registration costs an argon2 hash, the dearest thing a stranger can ask for.
    await throttle(limiter, `register:ip:${meta.ip}`, config.registerRate, 'Too many registrations from this address');
    // A new account owns no media yet, so any avatar named at registration is refused.
    if (input.avatar) await this.avatarCheck(newId(), input.avatar);
    const passwordHash = await this.hasher.hash(input.password);
    const user = await store.users.create({
      id: newId(),
      username: input.username,
      mobile: input.mobile ?? null,
      passwordHash,
      nickname: input.nickname,
      avatar: input.avatar ?? null,
      gender: input.gender ?? 'unspecified',
      bio: input.bio ?? '',
      now: clock.now(),
    });
    const { token, sessionId } = await this.startSession(user, { ...meta, device: input.device ?? meta.device });
    return { user: privateUser(user), token, sessionId };
  }

  async login(
    login: string,
    password: string,
    meta: ClientMeta,
  ): Promise<{ user: PrivateUser; token: string; sessionId: string } | { challenge: string; expiresAt: number }> {
    const { store, clock, config } = this.deps;
    const now = clock.now();
    const window = config.loginWindow;
    const max = config.loginAttempts;
    const acct = login.toLowerCase();
    const keys: [string, number][] = [
      [`login:pair:${acct}:${meta.ip}`, max],
      [`login:acct:${acct}`, max * 10],
      [`login:ip:${meta.ip}`, max * 5],
    ];
    // Fix (hardening burst test): the attempt is counted BEFORE the password is checked. Counting
    // only after a failed check let a burst of concurrent guesses all pass the count (each
    // verify takes tens of ms), so 40 parallel guesses were all checked against a limit of 3.
    // A success takes its hit back below; a refused attempt keeps it (the window is fixed).
    for (const [key, limit] of keys) {
      if ((await store.throttles.hit(key, window, now)) > limit) {
        throw fail('TOO_MANY_ATTEMPTS', 'Too many failed logins; try again later', { retryAfterMs: window });
      }
    }
    const user = await store.users.byLogin(login);
    // A deleted account's tombstone has no usable hash: it costs the same as an unknown login.
    const live = user?.deleted_at == null ? user : undefined;
    const ok = await this.hasher.verify(live?.password_hash ?? (await this.dummyHash), password);
    if (!user || !live || !ok) throw fail('INVALID_CREDENTIALS', 'Wrong login or password');
    // Told only to whoever knows the password, so it says nothing about who has an account.
    if (user.disabled_at !== null) throw fail('ACCOUNT_DISABLED', 'This account is disabled');
    await store.throttles.reset(keys[0]![0]);
    for (const [key] of keys.slice(1)) await store.throttles.release(key, window, now);
    const second = await this.secondFactor?.(user);
    if (second) return second;
    const { token, sessionId } = await this.startSession(user, meta);
    return { user: privateUser(user), token, sessionId };
  }

  /** A new session for a user whose credentials were checked (login, or its second step). */
  async startSession(user: UserRow, meta: ClientMeta) {
    const { store, clock, config } = this.deps;
    const now = clock.now();
    const token = newToken();
    const session: SessionRow = {
      id: newId(),
      user_id: user.id,
      token_hash: hashToken(token),
      device: (meta.device ?? 'unknown').slice(0, 128),
      ip: meta.ip.slice(0, 64),
      created_at: now,
      last_seen_at: now,
      expires_at: now + config.sessionTtl,
      revoked_at: null,
    };
    await store.sessions.create(session);
    return { token, sessionId: session.id };
  }

  /** The live session behind a bearer token, or `UNAUTHENTICATED`. */
  async authenticate(token: string): Promise<Actor> {
    const { store, clock, config } = this.deps;
    if (!token || token.length > 200) throw fail('UNAUTHENTICATED', 'Missing or invalid token');
    const now = clock.now();
    const s = await store.sessions.byTokenHash(hashToken(token), now);
    if (!s) throw fail('UNAUTHENTICATED', 'Missing, expired or revoked token');
    if (now - s.last_seen_at >= TOUCH_EVERY_MS) await store.sessions.touch(s.id, now, now + config.sessionTtl);
    return { userId: s.user_id, sessionId: s.id };
  }

  /**
   * A socket's periodic session check (sockets and REST agree on sessions): `live` while the
   * session is neither revoked nor expired. When the socket was `used` (it sent frames) since
   * its last check, that counts as use of the session, as a REST call does: the expiry slides
   * forward (at most once a minute). An idle socket does not keep its session alive.
   */
  async sessionInUse(sessionId: string, used: boolean): Promise<'live' | 'expired' | 'revoked'> {
    const { store, clock, config } = this.deps;
    const now = clock.now();
    const s = await store.sessions.byId(sessionId);
    if (!s || s.revoked_at != null) return 'revoked';
    if (Number(s.expires_at) <= now) return 'expired';
    if (used && now - Number(s.last_seen_at) >= TOUCH_EVERY_MS)
      await store.sessions.touch(s.id, now, now + config.sessionTtl);
    return 'live';
  }

  async logout(actor: Actor): Promise<void> {
    const { store, clock } = this.deps;
    await store.sessions.revoke(actor.userId, actor.sessionId, clock.now());
    await this.announceRevoked(actor.userId, [actor.sessionId]);
  }

  async me(actor: Actor): Promise<PrivateUser> {
    return privateUser(await this.userRow(actor.userId));
  }

  async updateMe(actor: Actor, input: ProfilePatch): Promise<PrivateUser> {
    const { lastSeen, ...fields } = input;
    const patch: UserPatch = lastSeen === undefined ? fields : { ...fields, last_seen_privacy: lastSeen };
    if (patch.avatar) await this.avatarCheck(actor.userId, patch.avatar);
    const row = await this.deps.store.users.update(actor.userId, patch, this.deps.clock.now());
    if (PUBLIC_FIELDS.some((f) => patch[f] !== undefined)) await this.announceProfile(row);
    return privateUser(row);
  }

  /**
   * Tells everyone who sees this user's profile that it changed, live (`user.updated`): their
   * contacts and own sockets by user topic, their groups' members by group topic. Ephemeral on
   * purpose: a profile is state, not history; whoever was offline reads it on reconnect. A bus
   * failure is logged by the notifier and does not fail the update.
   */
  private async announceProfile(row: UserRow) {
    const { store, notify, log } = this.deps;
    try {
      const frame = { type: 'user.updated', user: publicUser(row) } as const;
      const [friends, groups] = await Promise.all([store.authz.friendIds(row.id), store.authz.groupIds(row.id)]);
      await notify.toUsers([row.id, ...friends], frame);
      for (const g of groups) await notify.toConversation(groupConversationId(g), frame);
    } catch (err) {
      log.warn({ err }, 'profile change not announced; clients see it on their next load');
    }
  }

  /** Changes the password and ends every other session (and their sockets). */
  async changePassword(actor: Actor, current: string, next: string): Promise<void> {
    const { store, clock } = this.deps;
    const user = await this.userRow(actor.userId);
    if (!(await this.hasher.verify(user.password_hash, current)))
      throw fail('INVALID_CREDENTIALS', 'The current password is wrong');
    await store.users.setPasswordHash(user.id, await this.hasher.hash(next), clock.now());
    const revoked = await store.sessions.revokeAllExcept(user.id, actor.sessionId, clock.now());
    await this.announceRevoked(user.id, revoked);
  }

  /**
   * Operator action: the account can no longer log in and every session ends (the nodes close
   * their sockets). Returns how many sessions ended; `USER_NOT_FOUND` for an unknown login.
   */
  async disable(login: string): Promise<{ userId: string; sessionsEnded: number }> {
    const { store, clock } = this.deps;
    const user = await store.users.byLogin(login);
    if (!user) throw fail('USER_NOT_FOUND', 'No such user');
    const now = clock.now();
    await store.users.setDisabled(user.id, now, now);
    const revoked = await store.sessions.revokeAllExcept(user.id, null, now);
    await this.announceRevoked(user.id, revoked);
    return { userId: user.id, sessionsEnded: revoked.length };
  }

  async sessions(actor: Actor): Promise<SessionView[]> {
    const rows = await this.deps.store.sessions.listLive(actor.userId, this.deps.clock.now());
    return rows.map((s) => ({
      id: s.id,
      device: s.device,
      ip: s.ip,
      createdAt: s.created_at,
      lastSeenAt: s.last_seen_at,
      current: s.id === actor.sessionId,
    }));
  }

  async revokeSession(actor: Actor, sessionId: string): Promise<void> {
    const ok = await this.deps.store.sessions.revoke(actor.userId, sessionId, this.deps.clock.now());
    if (!ok) throw fail('NOT_FOUND', 'No such session');
    await this.announceRevoked(actor.userId, [sessionId]);
  }

  async user(id: string): Promise<PublicUser> {
    const u = await this.deps.store.users.byId(id);
    if (!u) throw fail('USER_NOT_FOUND', 'No such user');
    return publicUser(u);
  }

  /** The account a freshly authenticated socket belongs to, or undefined when it is gone meanwhile. */
  async current(userId: string): Promise<PublicUser | undefined> {
    const u = await this.deps.store.users.byId(userId);
    return u ? publicUser(u) : undefined;
  }

  /**
   * Exact lookup by username (any case) or mobile; never a listing. Metered per user and, at 5×
   * that, per address, so phone numbers cannot be enumerated by one account or by many.
   */
  async find(actor: Actor, q: string, meta: Pick<ClientMeta, 'ip'>): Promise<PublicUser[]> {
    const { limiter, config } = this.deps;
    const message = 'Too many user lookups; slow down';
    await throttle(limiter, `lookup:user:${actor.userId}`, config.lookupRate, message);
    await throttle(limiter, `lookup:ip:${meta.ip}`, timesBudget(config.lookupRate, 5), message);
    const u = await this.deps.store.users.byLogin(q.trim());
    return u ? [publicUser(u)] : [];
  }

  private async userRow(id: string): Promise<UserRow> {
    const u = await this.deps.store.users.byId(id);
    if (!u) throw fail('UNAUTHENTICATED', 'The account no longer exists');
    return u;
  }

  /** Tells every node to close the sockets of these sessions. */
  private async announceRevoked(userId: string, sessionIds: string[]) {
    if (sessionIds.length === 0) return;
    try {
      await this.deps.bus.publish(userTopic(userId), { type: 'sessions.revoked', userId, sessionIds });
    } catch (e) {
      // The sessions are already revoked in the store; a socket still open fails its next check.
      this.deps.log.warn({ err: e, userId }, 'could not announce revoked sessions');
    }
  }
}
