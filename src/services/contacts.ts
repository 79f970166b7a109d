import { dmId } from '../domain/conversation-id.js';
import { fail } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import type { ContactRequestRow, Relation } from '../store/contacts.js';
import type { UserEventRow } from '../store/log.js';
import type { Actor } from './accounts.js';
import { userFacts } from './authz-cache.js';
import type { ServiceDeps } from './deps.js';
import { visibleLastSeen } from './last-seen.js';
import {
  type ContactRequestView,
  type FriendView,
  type PageQuery,
  type Paged,
  type UserBrief,
  brief,
  friendRecord,
  friendView,
  pageOf,
  paged,
  requestView,
  unknownUser,
} from './social-views.js';

const DAY_MS = 86_400_000;
/** The one answer for every refusal that would otherwise reveal a block. */
const refused = () => fail('FORBIDDEN', 'You cannot send a request to this user');

export interface BlockedView extends UserBrief {
  blockedAt: number;
}

/**
 * Friend requests, friends, remarks and blocks. Every change commits with its per-user events
 * in one store call; after commit, events are published and the authorization caches of both
 * users are invalidated on every node. A blocked user learns nothing beyond a generic refusal:
 * requests to or from a blocker get the same `FORBIDDEN` answer as any other refusal, and a
 * request of theirs canceled by the block looks declined.
 */
export class ContactService {
  constructor(private readonly deps: ServiceDeps) {}

  async sendRequest(actor: Actor, input: { userId: string; message?: string }): Promise<ContactRequestView> {
    const { store, clock, config } = this.deps;
    const me = actor.userId;
    const to = input.userId;
    if (to === me) throw fail('CANNOT_TARGET_SELF', 'You cannot send a request to yourself');
    const [meRow, toRow] = await Promise.all([store.users.byId(me), store.users.byId(to)]);
    if (!toRow) throw fail('USER_NOT_FOUND', 'No such user');
    if (!meRow) throw fail('UNAUTHENTICATED', 'The account no longer exists');
    // Checked again inside the transaction, so a racing block or accept is seen.
    const check = (rel: Relation) => {
      // Friends first: a friend who blocked you must still look like a friend, not a refusal.
      if (rel.friends) throw fail('ALREADY_FRIENDS', 'You are already friends');
      if (rel.aBlockedB) throw fail('BLOCKED', 'You blocked this user; unblock them first');
      if (rel.bBlockedA) throw refused();
      if (rel.pending) throw fail('REQUEST_PENDING', 'A request between you is already pending');
    };
    check(await store.contacts.relation(me, to));
    const now = clock.now();
    const users = new Map([
      [me, brief(meRow)],
      [to, brief(toRow)],
    ]);
    const { value, events } = await store.contacts.createRequest(
      { id: newId(), fromId: me, toId: to, message: input.message ?? '', now },
      check,
      (r) => [{ userIds: [me, to], kind: 'contact.request', payload: { request: requestView(r, users) } }],
      // Spent in the transaction that inserts the request, so a burst cannot pass the limit.
      {
        key: `friendreq:${me}`,
        windowMs: DAY_MS,
        max: config.friendRequestsPerDay,
        message: 'Too many friend requests today; try again tomorrow',
      },
    );
    await this.publish(events, []);
    return requestView(value, users);
  }

  async requests(actor: Actor, direction: 'in' | 'out', q: PageQuery): Promise<Paged<ContactRequestView>> {
    const page = pageOf(q);
    const rows = await this.deps.store.contacts.pendingRequests(actor.userId, direction, page);
    const users = await this.briefs(rows.flatMap((r) => [r.from_id, r.to_id]));
    return paged(
      rows,
      page.limit,
      (r) => requestView(r, users),
      (r) => [r.created_at, r.id],
    );
  }

  /** Accepts a request sent to the actor: both become friends and share a direct conversation. */
  async accept(actor: Actor, requestId: string): Promise<{ request: ContactRequestView; friend: FriendView }> {
    const { store, clock } = this.deps;
    const pending = await this.pendingFor(requestId, actor.userId, 'to_id');
    const users = await this.briefs([pending.from_id, pending.to_id]);
    const cid = dmId(pending.from_id, pending.to_id);
    const { value, events } = await store.contacts.decide(requestId, actor.userId, 'accepted', clock.now(), (r) => {
      const view = requestView(r, users);
      const friendOf = (id: string) => ({ ...users.get(id)!, remark: '', since: r.updated_at, conversation: cid });
      return [
        { userIds: [r.from_id], kind: 'contact.accepted', payload: { request: view, friend: friendOf(r.to_id) } },
        { userIds: [r.to_id], kind: 'contact.accepted', payload: { request: view, friend: friendOf(r.from_id) } },
      ];
    });
    await this.publish(events, [value.from_id, value.to_id]);
    const f = await store.contacts.friend(actor.userId, value.from_id);
    const online = await this.online(actor.userId, [value.from_id]);
    return {
      request: requestView(value, users),
      friend: f
        ? friendView(f, online.has(value.from_id), cid)
        : { ...users.get(value.from_id)!, remark: '', online: false, since: value.updated_at, conversation: cid },
    };
  }

  decline(actor: Actor, requestId: string) {
    return this.close(actor, requestId, 'declined');
  }

  cancel(actor: Actor, requestId: string) {
    return this.close(actor, requestId, 'canceled');
  }

  private async close(actor: Actor, requestId: string, to: 'declined' | 'canceled'): Promise<ContactRequestView> {
    const pending = await this.pendingFor(requestId, actor.userId, to === 'canceled' ? 'from_id' : 'to_id');
    const users = await this.briefs([pending.from_id, pending.to_id]);
    const { value, events } = await this.deps.store.contacts.decide(
      requestId,
      actor.userId,
      to,
      this.deps.clock.now(),
      (r) => [{ userIds: [r.from_id, r.to_id], kind: `contact.${to}`, payload: { request: requestView(r, users) } }],
    );
    await this.publish(events, []);
    return requestView(value, users);
  }

  /** A pending request the actor is the given side of; anything else is REQUEST_NOT_FOUND. */
  private async pendingFor(id: string, me: string, side: 'from_id' | 'to_id'): Promise<ContactRequestRow> {
    const r = await this.deps.store.contacts.requestById(id);
    if (!r || r[side] !== me || r.status !== 'pending') throw fail('REQUEST_NOT_FOUND', 'No such pending request');
    return r;
  }

  async friends(actor: Actor, q: PageQuery): Promise<Paged<FriendView>> {
    const page = pageOf(q);
    const rows = await this.deps.store.contacts.friends(actor.userId, page);
    const ids = rows.map((r) => r.peer_id);
    const [online, seen] = await Promise.all([
      this.online(actor.userId, ids),
      visibleLastSeen(this.deps, actor.userId, ids),
    ]);
    return paged(
      rows,
      page.limit,
      (f) => ({
        ...friendView(f, online.has(f.peer_id), dmId(actor.userId, f.peer_id)),
        lastSeenAt: seen.get(f.peer_id) ?? null,
      }),
      (f) => [f.created_at, f.peer_id],
    );
  }

  /** A remark is private: only the actor's own devices hear of the change. */
  async setRemark(actor: Actor, peerId: string, remark: string): Promise<FriendView> {
    const me = actor.userId;
    const cid = dmId(me, peerId);
    const { value: f, events } = await this.deps.store.contacts.setRemark(
      me,
      peerId,
      remark,
      this.deps.clock.now(),
      (row) => [{ userIds: [me], kind: 'contact.updated', payload: { friend: friendRecord(row, cid) } }],
    );
    if (!f) throw fail('NOT_FRIENDS', 'This user is not in your contacts');
    await this.publish(events, []);
    const online = await this.online(me, [peerId]);
    return friendView(f, online.has(peerId), cid);
  }

  /** Ends the friendship on both sides (the direct conversation's history stays). */
  async removeFriend(actor: Actor, peerId: string): Promise<void> {
    const me = actor.userId;
    const { value, events } = await this.deps.store.contacts.removeFriend(me, peerId, this.deps.clock.now(), [
      { userIds: [me], kind: 'contact.removed', payload: { userId: peerId, by: me } },
      { userIds: [peerId], kind: 'contact.removed', payload: { userId: me, by: me } },
    ]);
    if (!value) throw fail('NOT_FRIENDS', 'This user is not in your contacts');
    await this.publish(events, [me, peerId]);
  }

  async blocks(actor: Actor, q: PageQuery): Promise<Paged<BlockedView>> {
    const page = pageOf(q);
    const rows = await this.deps.store.contacts.blocks(actor.userId, page);
    return paged(
      rows,
      page.limit,
      (b) => ({
        id: b.blocked_id,
        username: b.username,
        nickname: b.nickname,
        avatar: b.avatar,
        blockedAt: b.created_at,
      }),
      (b) => [b.created_at, b.blocked_id],
    );
  }

  /** Blocks a user (idempotent); pending requests between the two end. Friendship is kept. */
  async block(actor: Actor, userId: string): Promise<void> {
    const { store, clock } = this.deps;
    const me = actor.userId;
    if (userId === me) throw fail('CANNOT_TARGET_SELF', 'You cannot block yourself');
    const target = await store.users.byId(userId);
    if (!target) throw fail('USER_NOT_FOUND', 'No such user');
    const meRow = await store.users.byId(me);
    const users = new Map([[userId, brief(target)], ...(meRow ? [[me, brief(meRow)] as const] : [])]);
    const { events } = await store.contacts.block(me, userId, clock.now(), (canceled) => [
      { userIds: [me], kind: 'contact.blocked', payload: { user: brief(target) } },
      ...canceled.map((r) => ({
        userIds: [r.from_id, r.to_id],
        kind: `contact.${r.status}`,
        payload: { request: requestView(r, users) },
      })),
    ]);
    await this.publish(events, [me, userId]);
  }

  /** Idempotent; only the unblocker's devices hear of it (the blocked user never saw the block). */
  async unblock(actor: Actor, userId: string): Promise<void> {
    const me = actor.userId;
    const target = await this.deps.store.users.byId(userId);
    const { value, events } = await this.deps.store.contacts.unblock(me, userId, this.deps.clock.now(), [
      { userIds: [me], kind: 'contact.unblocked', payload: { user: target ? brief(target) : unknownUser(userId) } },
    ]);
    if (value) await this.publish(events, [me, userId]);
  }

  private async briefs(ids: string[]): Promise<Map<string, UserBrief>> {
    const rows = await this.deps.store.users.byIds(ids);
    return new Map(rows.map((u) => [u.id, brief(u)]));
  }

  /** Which of `ids` `me` may see online: a user `me` blocked never is (a block means silence). */
  private async online(me: string, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const hidden = new Set(await this.deps.store.authz.blocked(me));
    const asked = ids.filter((id) => !hidden.has(id));
    if (asked.length === 0) return new Set();
    try {
      return await this.deps.presence.online(asked);
    } catch (err) {
      // Presence is a hint; a friends list must not fail because of it.
      this.deps.log.warn({ err }, 'presence lookup failed');
      return new Set();
    }
  }

  /** After commit: drop authorization caches first, then deliver the events. */
  private async publish(events: UserEventRow[], invalidateUsers: string[]) {
    const { notify } = this.deps;
    if (invalidateUsers.length) await notify.invalidate(invalidateUsers.map(userFacts));
    if (events.length) await notify.userEvents(events);
  }
}
