import { fail } from '../domain/errors.js';
import { publiclyVisible, requireRole } from '../domain/group-rules.js';
import { newId } from '../domain/ids.js';
import type { GroupRow } from '../store/groups.js';
import type { GroupTxStep } from '../store/group-writes.js';
import type { Actor } from './accounts.js';
import type { ServiceDeps } from './deps.js';
import { loadGroup, publishGroupChange } from './group-support.js';
import {
  type GroupRequestView,
  type GroupView,
  type PageQuery,
  type Paged,
  brief,
  groupCard,
  groupRequestView,
  groupView,
  pageOf,
  paged,
  unknownUser,
} from './social-views.js';

export type JoinResult = { status: 'joined'; group: GroupView } | { status: 'pending'; request: GroupRequestView };

const asMember = { role: 'member' as const, muted_until: null };

/** A join through something other than the group's own door (an invite link). */
export interface JoinVia {
  /** Named in the `joined` system entry (`via`). */
  kind: 'invite';
  /** Runs in the join's transaction (takes the link's use; throws to refuse). */
  within: GroupTxStep;
}

/**
 * Joining a group on one's own: an `open` group at once, an `approval` group through a join
 * request that an admin accepts or declines. The policy is re-checked on the locked group, so a
 * policy change racing a join cannot let someone in by the wrong door.
 */
export class GroupJoins {
  constructor(private readonly deps: ServiceDeps) {}

  private get now() {
    return this.deps.clock.now();
  }

  /**
   * Open groups: joined at once. Approval groups: a pending request for the admins. Through an
   * invite link (`via`): an invite-only group is joined at once too, and `via.within` (the
   * link's use) commits or rolls back with the join.
   */
  async join(actor: Actor, groupId: string, message = '', via?: JoinVia): Promise<JoinResult> {
    const me = actor.userId;
    const { g, m } = await loadGroup(this.deps, groupId, me);
    if (m) throw fail('ALREADY_MEMBER', 'You are already a member');
    if (!via && !publiclyVisible(g)) throw fail('GROUP_NOT_FOUND', 'No such group');
    const { groups, users } = this.deps.store;
    const visible = (s: { group: GroupRow }) => {
      if (!via && !publiclyVisible(s.group)) throw fail('GROUP_NOT_FOUND', 'No such group');
    };
    const direct = (p: GroupRow['join_policy']) => p === 'open' || (via !== undefined && p === 'invite');
    const within = via ? { within: via.within } : {};
    const how = via ? { via: via.kind } : {};
    if (direct(g.join_policy)) {
      const ch = await groups.write.addMembers({
        groupId,
        actorId: me,
        userIds: [me],
        max: this.deps.config.groupMaxMembers,
        now: this.now,
        check: (s) => {
          visible(s);
          if (!direct(s.group.join_policy))
            throw fail('FORBIDDEN', 'This group no longer accepts direct joins; try again');
        },
        ...within,
        describe: (gr) => ({
          system: { action: 'joined', actor: me, users: [me], ...how },
          events: [{ userIds: [me], kind: 'group.added', payload: { group: groupView(gr, asMember), by: me } }],
        }),
      });
      await publishGroupChange(this.deps, ch, { join: [me] });
      return { status: 'joined', group: groupView(ch.group, asMember) };
    }
    const u = await users.byId(me);
    const who = u ? brief(u) : unknownUser(me);
    // A block means silence: admins who blocked the requester never see the request (nor its text).
    const told = await this.tellAdmins(me);
    const ch = await groups.write.requestJoin({
      groupId,
      actorId: me,
      requestId: newId(),
      message,
      now: this.now,
      check: (s) => {
        visible(s);
        if (s.group.join_policy !== 'approval') throw fail('FORBIDDEN', 'This group does not take join requests now');
      },
      ...within,
      describe: (gr, r, admins) => ({
        events: [
          {
            userIds: told(admins),
            kind: 'group.request',
            payload: { request: groupRequestView(r, who), group: groupCard(gr) },
          },
        ],
      }),
    });
    await publishGroupChange(this.deps, ch, {});
    return { status: 'pending', request: groupRequestView(ch.value, who) };
  }

  /**
   * The requester withdraws their pending request; the admins (who were told of it) and the
   * requester's own devices hear of it. Without one pending: `REQUEST_NOT_FOUND`, except that a
   * group the caller may not know of (invite-only, not a member) stays `GROUP_NOT_FOUND`.
   */
  async cancelJoin(actor: Actor, groupId: string): Promise<GroupRequestView> {
    const me = actor.userId;
    const told = await this.tellAdmins(me);
    const ch = await this.deps.store.groups.write.cancelRequest({
      groupId,
      actorId: me,
      now: this.now,
      check: () => {},
      absent: (s) =>
        s.actor || publiclyVisible(s.group)
          ? fail('REQUEST_NOT_FOUND', 'You have no pending request to join this group')
          : fail('GROUP_NOT_FOUND', 'No such group'),
      describe: (g, r, admins) => ({
        events: [
          {
            userIds: [...new Set([...told(admins), me])],
            kind: 'group.request.canceled',
            payload: { requestId: r.id, group: groupCard(g) },
          },
        ],
      }),
    });
    await publishGroupChange(this.deps, ch, {});
    return this.requestView(ch.value);
  }

  async requests(actor: Actor, groupId: string, q: PageQuery): Promise<Paged<GroupRequestView>> {
    const page = pageOf(q);
    const { g, m } = await loadGroup(this.deps, groupId, actor.userId);
    requireRole(g, m, 'admin');
    const rows = await this.deps.store.groups.pendingRequests(groupId, page, actor.userId);
    return paged(
      rows,
      page.limit,
      (r) => groupRequestView(r, { id: r.user_id, username: r.username, nickname: r.nickname, avatar: r.avatar }),
      (r) => [r.created_at, r.id],
    );
  }

  async acceptRequest(actor: Actor, groupId: string, requestId: string): Promise<GroupRequestView> {
    const me = actor.userId;
    const ch = await this.deps.store.groups.write.acceptRequest({
      groupId,
      actorId: me,
      requestId,
      max: this.deps.config.groupMaxMembers,
      now: this.now,
      check: (s) => void requireRole(s.group, s.actor, 'admin'),
      describe: (g, r, added) => ({
        ...(added ? { system: { action: 'joined', actor: me, users: [r.user_id], request: r.id } } : {}),
        events: [
          {
            userIds: [r.user_id],
            kind: 'group.request.accepted',
            payload: { requestId: r.id, group: groupView(g, asMember), by: me },
          },
        ],
      }),
    });
    await publishGroupChange(this.deps, ch, { join: ch.entries.length ? [ch.value.user_id] : [] });
    return this.requestView(ch.value);
  }

  async declineRequest(actor: Actor, groupId: string, requestId: string): Promise<GroupRequestView> {
    const me = actor.userId;
    const ch = await this.deps.store.groups.write.declineRequest({
      groupId,
      actorId: me,
      requestId,
      now: this.now,
      check: (s) => void requireRole(s.group, s.actor, 'admin'),
      describe: (g, r) => ({
        events: [
          { userIds: [r.user_id], kind: 'group.request.declined', payload: { requestId: r.id, group: groupCard(g) } },
        ],
      }),
    });
    await publishGroupChange(this.deps, ch, {});
    return this.requestView(ch.value);
  }

  /** Filters a list of admins down to those who did not block `userId`. */
  private async tellAdmins(userId: string): Promise<(admins: string[]) => string[]> {
    const blockers = new Set(await this.deps.store.authz.blockers(userId));
    return (admins) => (blockers.size ? admins.filter((a) => !blockers.has(a)) : admins);
  }

  private async requestView(r: Parameters<typeof groupRequestView>[0]) {
    const u = await this.deps.store.users.byId(r.user_id);
    return groupRequestView(r, u ? brief(u) : unknownUser(r.user_id));
  }
}
