import { createHash } from 'node:crypto';
import { fail } from '../domain/errors.js';
import { requireRole } from '../domain/group-rules.js';
import { newId, newToken } from '../domain/ids.js';
import type { InviteRow } from '../store/invites.js';
import type { Actor } from './accounts.js';
import type { ServiceDeps } from './deps.js';
import { GroupJoins, type JoinResult } from './group-joins.js';
import { loadGroup } from './group-support.js';
import { type GroupCard, type PageQuery, type Paged, groupCard, pageOf, paged } from './social-views.js';
import { throttle, timesBudget } from './throttle.js';

export type InviteStatus = 'active' | 'revoked' | 'expired' | 'used_up';

/** What admins see of a link (never its code, which is not kept). */
export interface InviteView {
  id: string;
  groupId: string;
  createdBy: string;
  createdAt: number;
  expiresAt: number | null;
  maxUses: number | null;
  uses: number;
  revokedAt: number | null;
  status: InviteStatus;
}

/** The one reply that carries a link's code: its creation. */
export interface CreatedInvite {
  invite: InviteView;
  code: string;
}

/** What the holder of a code sees before joining. */
export interface InvitePreview {
  group: GroupCard & { notice: string };
  /** The caller is a member already (the client offers to open the group instead). */
  member: boolean;
  expiresAt: number | null;
}

export interface NewInviteInput {
  /** From now; none: the link does not expire. */
  expiresInSeconds?: number;
  /** None: any number of uses. */
  maxUses?: number;
}

/** How much of the group's notice a preview shows. */
export const NOTICE_EXCERPT = 200;

export const inviteCodeHash = (code: string) => createHash('sha256').update(code).digest('hex');

export function inviteStatus(r: InviteRow, now: number): InviteStatus {
  if (r.revoked_at !== null) return 'revoked';
  if (r.expires_at !== null && r.expires_at <= now) return 'expired';
  if (r.max_uses !== null && r.uses >= r.max_uses) return 'used_up';
  return 'active';
}

export const inviteView = (r: InviteRow, now: number): InviteView => ({
  id: r.id,
  groupId: r.group_id,
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  maxUses: r.max_uses,
  uses: r.uses,
  revokedAt: r.revoked_at,
  status: inviteStatus(r, now),
});

/** The coded refusal for a link that is not live (or, undefined, not there). */
export function inviteRefusal(r: InviteRow | undefined, now: number): Error {
  if (!r) return fail('INVITE_NOT_FOUND', 'This invite link does not exist');
  switch (inviteStatus(r, now)) {
    case 'revoked':
      return fail('INVITE_REVOKED', 'This invite link was revoked');
    case 'expired':
      return fail('INVITE_EXPIRED', 'This invite link has expired');
    case 'used_up':
      return fail('INVITE_USED_UP', 'This invite link has been used as often as it allows');
    default:
      // Live again by the time it was re-read (cannot happen: links only ever die).
      return fail('CONFLICT', 'The invite link changed; try again');
  }
}

/**
 * Group invite links. Admins create, list and revoke a group's links; whoever holds a live
 * code sees the group's card and joins through {@link GroupJoins} (the same rules, member cap
 * and `joined` entry as any join, marked `via: "invite"`): an open or invite-only group at
 * once, an approval group through a join request. Each join or request takes one use, in the
 * join's own transaction, so the last use goes to exactly one of two racing joins.
 *
 * Codes are 256-bit random secrets shown once, at creation; only their SHA-256 is kept. They
 * travel in request bodies, never in paths, so no access log holds one. Previews and joins are
 * metered per user and, at 5× that, per address (`PARLEY_INVITE_RATE`): with 256-bit codes
 * guessing is hopeless anyway, and the meter keeps anyone from trying at volume.
 */
export class InviteService {
  private readonly joins: GroupJoins;

  constructor(private readonly deps: ServiceDeps) {
    this.joins = new GroupJoins(deps);
  }

  private get now() {
    return this.deps.clock.now();
  }

  async create(actor: Actor, groupId: string, input: NewInviteInput): Promise<CreatedInvite> {
    const { g, m } = await loadGroup(this.deps, groupId, actor.userId);
    requireRole(g, m, 'admin');
    const { store, config } = this.deps;
    if ((await store.invites.liveCount(groupId)) >= config.groupInvitesMax)
      throw fail('TOO_MANY_INVITES', `A group keeps at most ${config.groupInvitesMax} invite links; revoke some first`);
    const now = this.now;
    const code = newToken();
    const row: InviteRow = {
      id: newId(),
      group_id: groupId,
      code_hash: inviteCodeHash(code),
      created_by: actor.userId,
      created_at: now,
      expires_at: input.expiresInSeconds === undefined ? null : now + input.expiresInSeconds * 1000,
      max_uses: input.maxUses ?? null,
      uses: 0,
      revoked_at: null,
    };
    await store.invites.create(row);
    return { invite: inviteView(row, now), code };
  }

  async list(actor: Actor, groupId: string, q: PageQuery): Promise<Paged<InviteView>> {
    const page = pageOf(q);
    const { g, m } = await loadGroup(this.deps, groupId, actor.userId);
    requireRole(g, m, 'admin');
    const rows = await this.deps.store.invites.list(groupId, page);
    const now = this.now;
    return paged(
      rows,
      page.limit,
      (r) => inviteView(r, now),
      (r) => [r.created_at, r.id],
    );
  }

  /** Idempotent: revoking a revoked link answers it as it is. */
  async revoke(actor: Actor, groupId: string, inviteId: string): Promise<InviteView> {
    const { g, m } = await loadGroup(this.deps, groupId, actor.userId);
    requireRole(g, m, 'admin');
    const now = this.now;
    const row = await this.deps.store.invites.revoke(groupId, inviteId, now);
    if (!row) throw fail('INVITE_NOT_FOUND', 'This group has no such invite link');
    return inviteView(row, now);
  }

  async preview(actor: Actor, code: string, ip: string): Promise<InvitePreview> {
    const { row, g, m } = await this.live(actor, code, ip);
    const card = { ...groupCard(g), notice: g.notice.slice(0, NOTICE_EXCERPT) };
    return { group: card, member: m !== undefined, expiresAt: row.expires_at };
  }

  async join(actor: Actor, code: string, ip: string): Promise<JoinResult> {
    const { row } = await this.live(actor, code, ip);
    const now = this.now;
    return this.joins.join(actor, row.group_id, '', {
      kind: 'invite',
      within: this.deps.store.invites.claim(row.id, now, (r) => inviteRefusal(r, now)),
    });
  }

  /** Meters the caller, then finds the link and its group; a dead link or group is refused. */
  private async live(actor: Actor, code: string, ip: string) {
    const { limiter, config, store } = this.deps;
    const message = 'Too many invite links tried; slow down';
    await throttle(limiter, `invite:user:${actor.userId}`, config.inviteRate, message);
    await throttle(limiter, `invite:ip:${ip}`, timesBudget(config.inviteRate, 5), message);
    const row = await store.invites.byCodeHash(inviteCodeHash(code));
    const now = this.now;
    if (!row || inviteStatus(row, now) !== 'active') throw inviteRefusal(row, now);
    // A dissolved group's links are dead links, told the same way as a revoked one.
    const { g, m } = await loadGroup(this.deps, row.group_id, actor.userId).catch(() => {
      throw fail('INVITE_REVOKED', 'This invite link was revoked');
    });
    return { row, g, m };
  }
}
