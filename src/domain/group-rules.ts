import { fail } from './errors.js';

/**
 * Who may do what in a group. Pure functions over the group and the memberships involved, so
 * the same rules run inside the store's transaction (on locked, fresh rows) and in reads.
 *
 * - Visibility: a non-member sees an `open` or `approval` group's public card (it can be
 *   searched and joined); an `invite` group, or a dissolved one, does not exist for them (404).
 * - Owner: everything; the only one who renames, transfers, dissolves and sets roles.
 * - Admin: adds members, kicks and mutes plain members, edits notice/avatar/join policy,
 *   decides join requests.
 * - Member: leaves; adds their friends when the policy is `open` or `invite` (in an
 *   `approval` group that would bypass the admins' approval, so only admins add there).
 */
export const ROLES = ['owner', 'admin', 'member'] as const;
export const JOIN_POLICIES = ['open', 'approval', 'invite'] as const;
export type Role = (typeof ROLES)[number];
export type JoinPolicy = (typeof JOIN_POLICIES)[number];

export interface GroupFacts {
  join_policy: JoinPolicy;
  dissolved_at: number | null;
}
export interface MemberFacts {
  user_id: string;
  role: Role;
}

const RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3 };

/** Non-members may see that the group exists (and its public card). */
export function publiclyVisible(g: GroupFacts): boolean {
  return g.dissolved_at === null && g.join_policy !== 'invite';
}

/** The member, or the error a non-member gets: 404 when they may not know the group, else 403. */
export function requireMember<M extends MemberFacts>(g: GroupFacts, actor: M | undefined): M {
  if (actor && g.dissolved_at === null) return actor;
  if (!publiclyVisible(g)) throw fail('GROUP_NOT_FOUND', 'No such group');
  throw fail('NOT_A_MEMBER', 'You are not a member of this group');
}

export function requireRole<M extends MemberFacts>(g: GroupFacts, actor: M | undefined, min: Role): M {
  const m = requireMember(g, actor);
  if (RANK[m.role] < RANK[min])
    throw fail(
      'ROLE_REQUIRED',
      min === 'owner' ? 'Only the owner may do this' : 'Only an admin or the owner may do this',
    );
  return m;
}

/** May `actor` add people directly? */
export function requireCanAdd(g: GroupFacts, actor: MemberFacts | undefined): void {
  const m = requireMember(g, actor);
  if (g.join_policy === 'approval' && m.role === 'member')
    throw fail('ROLE_REQUIRED', 'In this group only admins add members');
}

/** Kick or mute: an admin acts on plain members, the owner on anyone but themselves. */
export function requireOutranks(
  g: GroupFacts,
  actor: MemberFacts | undefined,
  target: MemberFacts | undefined,
  targetId: string,
): void {
  const m = requireRole(g, actor, 'admin');
  if (m.user_id === targetId) throw fail('CANNOT_TARGET_SELF', 'You cannot do this to yourself');
  if (!target) throw fail('MEMBER_NOT_FOUND', 'That user is not a member of this group');
  if (RANK[m.role] <= RANK[target.role]) throw fail('ROLE_REQUIRED', 'You can only do this to members below your role');
}

/** Promote/demote or hand over ownership: the owner, on another member. */
export function requireOwnerOver(
  g: GroupFacts,
  actor: MemberFacts | undefined,
  target: MemberFacts | undefined,
  targetId: string,
): void {
  const m = requireRole(g, actor, 'owner');
  if (m.user_id === targetId) throw fail('CANNOT_TARGET_SELF', 'You cannot do this to yourself');
  if (!target) throw fail('MEMBER_NOT_FOUND', 'That user is not a member of this group');
}
