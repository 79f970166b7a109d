import { fail } from '../domain/errors.js';
import { userTopic } from '../domain/topics.js';
import { groupFacts, userFacts } from './authz-cache.js';
import type { Actor } from './accounts.js';
import type { ServiceDeps } from './deps.js';
import { publishGroupChange } from './group-support.js';
import type { PasswordHasher } from './passwords.js';
import { requestView } from './social-views.js';
import { throttle } from './throttle.js';

/** What others see in place of a deleted account's name. */
export const DELETED_NICKNAME = 'Deleted account';

/**
 * The freed username of a deleted account: `_` + its id. The username rule requires a leading
 * letter, so nobody can register it, and the original username is free for anyone again.
 */
export const tombstoneUsername = (userId: string) => `_${userId}`;

/** Password checks for deletion, per account: a stolen session cannot guess its way to it. */
const CONFIRM_BUDGET = { count: 5, perSecond: 5 / 900 };

/**
 * Account deletion. The password confirms it; then {@link purge} runs a fixed sequence of steps,
 * each one transaction and each idempotent, so a crash mid-way is finished by running it again
 * (`parley user purge`, or the same call): first the account is tombstoned (sessions revoked,
 * profile erased, contacts, blocks and requests gone, unshared media deleted), which makes it
 * final at once; then each group is left through the usual group writes (with their system
 * entries), the owner's groups passing to the next admin or member first, or dissolved when
 * nobody else is left. Messages already sent stay; views show the tombstone's profile
 * (`deleted: true`, nickname "Deleted account").
 */
export class AccountDeletion {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly hasher: PasswordHasher,
  ) {}

  async deleteMe(actor: Actor, password: string): Promise<void> {
    const { store, limiter } = this.deps;
    const user = await store.users.byId(actor.userId);
    if (!user || user.deleted_at != null) throw fail('UNAUTHENTICATED', 'The account no longer exists');
    await throttle(limiter, `delete:${user.id}`, CONFIRM_BUDGET, 'Too many attempts; try again later');
    if (!(await this.hasher.verify(user.password_hash, password)))
      throw fail('INVALID_CREDENTIALS', 'The password is wrong');
    await this.purge(user.id);
  }

  /** Deletes (or finishes deleting) the account; safe to run again on a deleted one. */
  async purge(userId: string): Promise<void> {
    const { store, clock, notify } = this.deps;
    const erased = await store.accountErase.erase(
      userId,
      { username: tombstoneUsername(userId), nickname: DELETED_NICKNAME },
      clock.now(),
      (e) => {
        const users = new Map([
          [userId, { id: userId, username: tombstoneUsername(userId), nickname: DELETED_NICKNAME, avatar: null }],
        ]);
        return [
          ...e.peers.map((p) => ({ userIds: [p], kind: 'contact.removed', payload: { userId, by: userId } })),
          ...e.canceled.map((r) => ({
            userIds: [r.from_id === userId ? r.to_id : r.from_id],
            kind: 'contact.canceled',
            payload: { request: requestView(r, users) },
          })),
        ];
      },
    );
    const touched = [
      userId,
      ...erased.peers,
      ...erased.unblocked,
      ...erased.canceled.flatMap((r) => [r.from_id, r.to_id]),
    ];
    await notify.invalidate([...new Set(touched)].map(userFacts));
    if (erased.events.length) await notify.userEvents(erased.events);
    await this.closeSessions(userId, erased.sessionIds);
    for (const { groupId, role } of await store.accountErase.groupsOf(userId))
      await this.leaveGroup(userId, groupId, role);
  }

  /** Leaves one group; an owner hands it on first, or dissolves it when alone. */
  private async leaveGroup(me: string, groupId: string, role: string): Promise<void> {
    const { store, clock } = this.deps;
    const write = store.groups.write;
    try {
      if (role === 'owner') {
        const next = await store.accountErase.successor(groupId, me);
        if (!next) {
          const ch = await write.dissolve({
            groupId,
            actorId: me,
            now: clock.now(),
            check: () => {},
            describe: (g, ids) => ({
              system: { action: 'dissolved', actor: me },
              events: [{ userIds: ids, kind: 'group.dissolved', payload: { groupId: g.id, by: me } }],
            }),
          });
          await publishGroupChange(this.deps, ch, { leave: ch.value });
          return;
        }
        const ch = await write.transfer({
          groupId,
          actorId: me,
          userId: next,
          now: clock.now(),
          check: (s) => {
            if (s.actor?.role !== 'owner' || !s.target) throw fail('CONFLICT', 'The group changed meanwhile');
          },
          describe: (g) => ({
            system: { action: 'transferred', actor: me, users: [next], reason: 'account-deleted' },
            events: [{ userIds: [next], kind: 'group.updated', payload: { groupId: g.id } }],
          }),
        });
        await publishGroupChange(this.deps, ch, { invalidate: [me, next] });
      }
      const ch = await write.removeMember({
        groupId,
        actorId: me,
        userId: me,
        now: clock.now(),
        check: () => {},
        describe: () => ({ system: { action: 'left', actor: me, users: [me], reason: 'account-deleted' }, events: [] }),
      });
      await publishGroupChange(this.deps, ch, { leave: [me] });
    } catch (e) {
      // A group that changed meanwhile (dissolved, a successor who left): start over on fresh state.
      const code = (e as { code?: string }).code;
      if (code === 'GROUP_NOT_FOUND' || code === 'NOT_A_MEMBER') return;
      if (code === 'CONFLICT') {
        const now = (await store.accountErase.groupsOf(me)).find((g) => g.groupId === groupId);
        if (now) return this.leaveGroup(me, groupId, now.role);
        return;
      }
      throw e;
    } finally {
      await this.deps.notify.invalidate([groupFacts(groupId)]);
    }
  }

  private async closeSessions(userId: string, sessionIds: string[]) {
    if (sessionIds.length === 0) return;
    try {
      await this.deps.bus.publish(userTopic(userId), { type: 'sessions.revoked', userId, sessionIds });
    } catch (err) {
      // Revoked in the store already: a socket still open fails its next session check.
      this.deps.log.warn({ err, userId }, 'could not announce revoked sessions');
    }
  }
}
