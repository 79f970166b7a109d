import { fail } from '../domain/errors.js';
import {
  type JoinPolicy,
  publiclyVisible,
  requireCanAdd,
  requireMember,
  requireOutranks,
  requireOwnerOver,
  requireRole,
} from '../domain/group-rules.js';
import { isId } from '../domain/id-format.js';
import { newId } from '../domain/ids.js';
import type { GroupRow } from '../store/groups.js';
import type { Actor, AvatarCheck } from './accounts.js';
import type { ServiceDeps } from './deps.js';
import { GroupJoins, type JoinResult } from './group-joins.js';
import { loadGroup, publishGroupChange } from './group-support.js';
import { throttle } from './throttle.js';
import {
  type GroupCard,
  type GroupRequestView,
  type GroupView,
  type MemberView,
  type PageQuery,
  type Paged,
  brief,
  groupCard,
  groupView,
  memberView,
  pageOf,
  paged,
  unknownUser,
} from './social-views.js';

export interface NewGroupInput {
  name: string;
  avatar?: string | null;
  notice?: string;
  joinPolicy?: JoinPolicy;
  /** Friends to add at creation. */
  userIds?: string[];
}

export interface GroupPatch {
  name?: string;
  avatar?: string | null;
  notice?: string;
  joinPolicy?: JoinPolicy;
}

const asMember = { role: 'member' as const, muted_until: null };

/**
 * Groups: creation, membership, roles, join requests. Authorization runs inside the store's
 * transaction on the locked group (see domain/group-rules.ts), so a decision is never based on
 * a stale role. After commit the service publishes the system entries and user events,
 * (un)subscribes members' sockets to the group topic, and invalidates authorization caches.
 */
export class GroupService {
  private readonly joins: GroupJoins;

  constructor(
    private readonly deps: ServiceDeps,
    /** A group's avatar obeys the avatar rule: an image the actor uploaded (as for `PATCH /me`). */
    private readonly avatarCheck: AvatarCheck,
  ) {
    this.joins = new GroupJoins(deps);
  }

  private get now() {
    return this.deps.clock.now();
  }

  async create(actor: Actor, input: NewGroupInput): Promise<GroupView> {
    const me = actor.userId;
    const others = [...new Set(input.userIds ?? [])].filter((u) => u !== me);
    const { limiter, config } = this.deps;
    // The narrower budget first, so a creation refused for its members spends no creation.
    if (others.length) await this.addingPeople(me);
    await throttle(limiter, `groupcreate:${me}`, config.groupCreateRate, 'Too many groups created; try again later');
    await this.requireAddable(me, others);
    if (input.avatar) await this.avatarCheck(me, input.avatar);
    const ch = await this.deps.store.groups.write.create({
      id: newId(),
      name: input.name,
      avatar: input.avatar ?? null,
      notice: input.notice ?? '',
      joinPolicy: input.joinPolicy ?? 'approval',
      ownerId: me,
      memberIds: others,
      max: this.deps.config.groupMaxMembers,
      now: this.now,
      describe: (g) => ({
        system: { action: 'created', actor: me, name: g.name, ...(others.length ? { users: others } : {}) },
        events: [
          {
            userIds: [me],
            kind: 'group.added',
            payload: { group: groupView(g, { role: 'owner', muted_until: null }), by: me },
          },
          { userIds: others, kind: 'group.added', payload: { group: groupView(g, asMember), by: me } },
        ],
      }),
    });
    await publishGroupChange(this.deps, ch, { join: [me, ...others] });
    return groupView(ch.group, { role: 'owner', muted_until: null });
  }

  async mine(actor: Actor): Promise<{ items: GroupView[] }> {
    const rows = await this.deps.store.groups.mine(actor.userId);
    return { items: rows.map((r) => groupView(r, r)) };
  }

  /** Exact id or exact name (any case); only groups the actor may know of. */
  async search(actor: Actor, q: string): Promise<{ items: GroupCard[] }> {
    const { groups } = this.deps.store;
    const term = q.trim();
    const found: GroupRow[] = [];
    if (isId(term)) {
      const g = await groups.byId(term);
      if (g) found.push(g);
    }
    found.push(...(await groups.byName(term.toLowerCase(), 20)));
    const items: GroupCard[] = [];
    for (const g of found) {
      if (items.some((x) => x.id === g.id)) continue;
      if (publiclyVisible(g) || (g.dissolved_at === null && (await groups.member(g.id, actor.userId))))
        items.push(groupCard(g));
    }
    return { items };
  }

  /** Members get the full view; others the public card of a group they may know of, else 404. */
  async get(actor: Actor, groupId: string): Promise<GroupView | GroupCard> {
    const { g, m } = await loadGroup(this.deps, groupId, actor.userId);
    if (m) return groupView(g, m);
    if (!publiclyVisible(g)) throw fail('GROUP_NOT_FOUND', 'No such group');
    return groupCard(g);
  }

  async update(actor: Actor, groupId: string, patch: GroupPatch): Promise<GroupView> {
    const me = actor.userId;
    const changes = {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.avatar !== undefined ? { avatar: patch.avatar } : {}),
      ...(patch.notice !== undefined ? { notice: patch.notice } : {}),
      ...(patch.joinPolicy !== undefined ? { join_policy: patch.joinPolicy } : {}),
    };
    if (patch.avatar) {
      // Who may change the group answers first (and again on the locked group below); only then
      // the media: naming someone else's picture would publish it to every member and visitor.
      const { g, m } = await loadGroup(this.deps, groupId, me);
      requireRole(g, m, 'admin');
      await this.avatarCheck(me, patch.avatar);
    }
    let role: GroupView['role'] = 'member';
    let mutedUntil: number | null = null;
    const ch = await this.deps.store.groups.write.update({
      groupId,
      actorId: me,
      now: this.now,
      patch: changes,
      check: (s) => {
        const m = requireRole(s.group, s.actor, patch.name !== undefined ? 'owner' : 'admin');
        role = m.role;
        mutedUntil = m.muted_until;
      },
      describe: () => ({
        system: { action: patch.name !== undefined ? 'renamed' : 'updated', actor: me, ...patch },
        events: [],
      }),
    });
    await publishGroupChange(this.deps, ch, { invalidate: [] });
    return groupView(ch.group, { role, muted_until: mutedUntil });
  }

  async dissolve(actor: Actor, groupId: string): Promise<void> {
    const me = actor.userId;
    const ch = await this.deps.store.groups.write.dissolve({
      groupId,
      actorId: me,
      now: this.now,
      check: (s) => void requireRole(s.group, s.actor, 'owner'),
      describe: (g, ids) => ({
        system: { action: 'dissolved', actor: me },
        events: [{ userIds: ids, kind: 'group.dissolved', payload: { groupId: g.id, by: me } }],
      }),
    });
    await publishGroupChange(this.deps, ch, { leave: ch.value });
  }

  async members(actor: Actor, groupId: string, q: PageQuery): Promise<Paged<MemberView>> {
    const page = pageOf(q);
    const { g, m } = await loadGroup(this.deps, groupId, actor.userId);
    requireMember(g, m);
    const rows = await this.deps.store.groups.members(groupId, page);
    return paged(rows, page.limit, memberView, (r) => [r.joined_at, r.user_id]);
  }

  /** Adds friends of the actor (see group-rules for who may add). */
  async addMembers(actor: Actor, groupId: string, userIds: string[]): Promise<{ added: string[]; group: GroupView }> {
    const me = actor.userId;
    await this.addingPeople(me);
    const { g, m } = await loadGroup(this.deps, groupId, me);
    requireCanAdd(g, m);
    await this.requireAddable(
      me,
      [...new Set(userIds)].filter((u) => u !== me),
    );
    let mine = m!;
    const ch = await this.deps.store.groups.write.addMembers({
      groupId,
      actorId: me,
      userIds,
      max: this.deps.config.groupMaxMembers,
      now: this.now,
      check: (s) => {
        requireCanAdd(s.group, s.actor);
        mine = s.actor!;
      },
      describe: (gr, added) => ({
        system: { action: 'added', actor: me, users: added },
        events: [{ userIds: added, kind: 'group.added', payload: { group: groupView(gr, asMember), by: me } }],
      }),
    });
    await publishGroupChange(this.deps, ch, { join: ch.value });
    return { added: ch.value, group: groupView(ch.group, mine) };
  }

  /** Open groups: joined at once. Approval groups: a pending request for the admins. */
  join(actor: Actor, groupId: string, message = ''): Promise<JoinResult> {
    return this.joins.join(actor, groupId, message);
  }

  /** Withdraws the caller's own pending join request. */
  cancelJoin(actor: Actor, groupId: string): Promise<GroupRequestView> {
    return this.joins.cancelJoin(actor, groupId);
  }

  requests(actor: Actor, groupId: string, q: PageQuery): Promise<Paged<GroupRequestView>> {
    return this.joins.requests(actor, groupId, q);
  }

  acceptRequest(actor: Actor, groupId: string, requestId: string): Promise<GroupRequestView> {
    return this.joins.acceptRequest(actor, groupId, requestId);
  }

  declineRequest(actor: Actor, groupId: string, requestId: string): Promise<GroupRequestView> {
    return this.joins.declineRequest(actor, groupId, requestId);
  }

  async leave(actor: Actor, groupId: string): Promise<void> {
    const me = actor.userId;
    const ch = await this.deps.store.groups.write.removeMember({
      groupId,
      actorId: me,
      userId: me,
      now: this.now,
      check: (s) => {
        const m = requireMember(s.group, s.actor);
        if (m.role === 'owner') throw fail('OWNER_CANNOT_LEAVE', 'Transfer ownership or dissolve the group first');
      },
      describe: (g) => ({
        system: { action: 'left', actor: me, users: [me] },
        events: [{ userIds: [me], kind: 'group.removed', payload: { groupId: g.id, by: me, reason: 'left' } }],
      }),
    });
    await publishGroupChange(this.deps, ch, { leave: [me] });
  }

  async kick(actor: Actor, groupId: string, userId: string): Promise<void> {
    const me = actor.userId;
    const ch = await this.deps.store.groups.write.removeMember({
      groupId,
      actorId: me,
      userId,
      now: this.now,
      check: (s) => requireOutranks(s.group, s.actor, s.target, userId),
      describe: (g) => ({
        system: { action: 'removed', actor: me, users: [userId] },
        events: [{ userIds: [userId], kind: 'group.removed', payload: { groupId: g.id, by: me, reason: 'removed' } }],
      }),
    });
    await publishGroupChange(this.deps, ch, { leave: [userId] });
  }

  /** Promote/demote (owner only) or mute/unmute (`mutedUntil` in epoch ms, null to unmute). */
  async setMember(
    actor: Actor,
    groupId: string,
    userId: string,
    patch: { role?: 'admin' | 'member'; mutedUntil?: number | null },
  ): Promise<MemberView> {
    const me = actor.userId;
    const now = this.now;
    if (patch.mutedUntil != null && patch.mutedUntil <= now)
      throw fail('VALIDATION_FAILED', 'mutedUntil must be in the future (or null to unmute)');
    const isRole = patch.role !== undefined;
    const ch = await this.deps.store.groups.write.setMember({
      groupId,
      actorId: me,
      userId,
      now,
      patch: isRole ? { role: patch.role! } : { muted_until: patch.mutedUntil ?? null },
      check: (s) => (isRole ? requireOwnerOver : requireOutranks)(s.group, s.actor, s.target, userId),
      describe: (g, m) => ({
        system: isRole
          ? { action: 'role', actor: me, users: [userId], role: m.role }
          : { action: 'muted', actor: me, users: [userId], until: m.muted_until },
        events: [{ userIds: [userId], kind: 'group.updated', payload: { group: groupView(g, m) } }],
      }),
    });
    await publishGroupChange(this.deps, ch, { invalidate: [userId] });
    const u = await this.deps.store.users.byId(userId);
    return memberView({ ...ch.value, ...(u ? brief(u) : unknownUser(userId)) });
  }

  async transfer(actor: Actor, groupId: string, userId: string): Promise<GroupView> {
    const me = actor.userId;
    const ch = await this.deps.store.groups.write.transfer({
      groupId,
      actorId: me,
      userId,
      now: this.now,
      check: (s) => requireOwnerOver(s.group, s.actor, s.target, userId),
      describe: (g) => ({
        system: { action: 'transferred', actor: me, users: [userId] },
        events: [
          {
            userIds: [userId],
            kind: 'group.updated',
            payload: { group: groupView(g, { role: 'owner', muted_until: null }) },
          },
          {
            userIds: [me],
            kind: 'group.updated',
            payload: { group: groupView(g, { role: 'admin', muted_until: null }) },
          },
        ],
      }),
    });
    await publishGroupChange(this.deps, ch, { invalidate: [me, userId] });
    return groupView(ch.group, { role: 'admin', muted_until: null });
  }

  /** Everyone added must be the adder's friend and must not have blocked them (same answer either way). */
  /** Putting people into groups without asking them is the spam a crowd of groups sends: metered per actor. */
  private addingPeople(me: string) {
    const { limiter, config } = this.deps;
    return throttle(limiter, `groupadd:${me}`, config.groupAddRate, 'Too many additions to groups; try again later');
  }

  private async requireAddable(me: string, ids: string[]) {
    if (ids.length === 0) return;
    const { contacts } = this.deps.store;
    const [friends, blockers] = await Promise.all([contacts.friendIdsAmong(me, ids), contacts.blockedBy(me, ids)]);
    if (ids.some((u) => !friends.has(u) || blockers.has(u))) throw fail('NOT_FRIENDS', 'You can only add your friends');
  }
}
