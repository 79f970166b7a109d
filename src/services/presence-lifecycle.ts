import type { ConnectionCounter } from '../bus/connection-counter.js';
import type { Presence } from '../bus/presence.js';
import type { Logger } from '../domain/logger.js';
import type { Notifier } from './notifier.js';

export interface PresenceLifecycleDeps {
  presence: Presence;
  connections: ConnectionCounter;
  notify: Notifier;
  /** Who is told when the user comes and goes: their contacts, less those who blocked them. */
  audience(userId: string): Promise<string[]>;
  /** Whose presence the user's new socket is shown: their contacts, less those they blocked. */
  shown(userId: string): Promise<string[]>;
  log: Logger;
  /** Concurrent WebSocket connections per user, cluster-wide. */
  limit: number;
  /** Records last seen when the user's last device goes offline (none: not recorded). */
  lastSeen?: LastSeenHook;
}

/** Last seen, as the lifecycle needs it (services/last-seen.ts implements it). */
export interface LastSeenHook {
  /**
   * Records that the user went offline now; answers the time and who of `audience` may see it
   * (they get it in the `offline` presence frame; the rest get the frame without it).
   */
  offline(userId: string, audience: readonly string[]): Promise<{ at: number; shown: Set<string> }>;
}

/** What presence audiences are computed from (the store's authorization reads). */
export interface PresenceCircleRepo {
  friendIds(userId: string): Promise<string[]>;
  blockers(userId: string): Promise<string[]>;
  blocked(userId: string): Promise<string[]>;
}

/**
 * The two presence circles of a user: a block means silence, so a user's comings and goings
 * never reach those who blocked them, and a blocker's socket is not shown whom they blocked.
 */
export function presenceCircles(repo: PresenceCircleRepo): Pick<PresenceLifecycleDeps, 'audience' | 'shown'> {
  const less = async (userId: string, drop: (u: string) => Promise<string[]>) => {
    const [friends, out] = await Promise.all([repo.friendIds(userId), drop(userId)]);
    if (!out.length) return friends;
    const skip = new Set(out);
    return friends.filter((f) => !skip.has(f));
  };
  return {
    audience: (u) => less(u, (x) => repo.blockers(x)),
    shown: (u) => less(u, (x) => repo.blocked(x)),
  };
}

/** Users announced at once when a sweep reports many (a dead node's users). */
const ANNOUNCE_CONCURRENCY = 16;

/**
 * What a socket's life means for the cluster: its slot in the per-user connection limit
 * (cluster-wide through the {@link ConnectionCounter}) and the user's presence, announced to
 * their contacts exactly once per transition cluster-wide.
 *
 * - `admit` takes a connection slot (false: the user is at the limit on all nodes together).
 * - `connected` registers presence and, on the user's first device anywhere, announces
 *   `online`. Presence is a hint: a broker failure is logged, never fails the connection (the
 *   registry keeps the connection locally and reconciles when the broker is back).
 * - `closed` releases the slot, then presence; on the user's last device anywhere it announces
 *   `offline`. It waits for a `connected` of the same connection still in flight, so a socket
 *   that closes while it starts cannot leave a stale presence entry behind.
 * - `start` makes this node announce the transitions nobody else will: the users of a dead
 *   node (the sweep reports each to exactly one node) and reconciliations after an outage. It
 *   runs on every node whatever its role: the sweep may pick an `api` node.
 */
export class PresenceLifecycle {
  private readonly starting = new Map<string, Promise<unknown>>();
  /** Connections that registered presence (only those are unregistered). */
  private readonly present = new Set<string>();

  constructor(private readonly d: PresenceLifecycleDeps) {}

  start(): void {
    this.d.presence.onChange((users, online) => void this.announce(users, online));
  }

  admit(userId: string, connId: string): Promise<boolean> {
    return this.d.connections.acquire(userId, connId, this.d.limit);
  }

  /** Registers presence; answers which of the user's contacts are online (for the new socket). */
  connected(userId: string, connId: string): Promise<string[]> {
    this.present.add(connId);
    const p = this.doConnect(userId, connId);
    this.starting.set(connId, p);
    return p.finally(() => this.starting.delete(connId));
  }

  private async doConnect(userId: string, connId: string): Promise<string[]> {
    let first = false;
    try {
      first = await this.d.presence.connect(userId, connId);
    } catch (err) {
      this.d.log.warn({ err: (err as Error).message }, 'presence connect failed; reconciled when the broker is back');
    }
    if (first) await this.tell(userId, true);
    const friends = await this.d.shown(userId);
    if (!friends.length) return [];
    try {
      return [...(await this.d.presence.online(friends))];
    } catch {
      return [];
    }
  }

  /** Gives the connection slot back (a socket that closed before it was set up). */
  release(userId: string, connId: string): Promise<void> {
    return this.d.connections.release(userId, connId);
  }

  async closed(userId: string, connId: string): Promise<void> {
    await this.d.connections.release(userId, connId);
    if (!this.present.delete(connId)) return;
    await this.starting.get(connId)?.catch(() => {});
    let last = false;
    try {
      last = await this.d.presence.disconnect(userId, connId);
    } catch (err) {
      this.d.log.warn(
        { err: (err as Error).message },
        'presence disconnect failed; reconciled when the broker is back',
      );
    }
    if (last) await this.tell(userId, false);
  }

  /** Announces users' presence to their contacts (a sweep's or a reconciliation's report). */
  async announce(users: readonly string[], online: boolean): Promise<void> {
    const queue = [...users];
    const worker = async () => {
      for (let u = queue.shift(); u !== undefined; u = queue.shift()) await this.tell(u, online);
    };
    await Promise.all(Array.from({ length: Math.min(ANNOUNCE_CONCURRENCY, queue.length) }, worker));
  }

  private async tell(userId: string, online: boolean) {
    try {
      const to = await this.d.audience(userId);
      if (!online && this.d.lastSeen) return await this.tellOffline(userId, to, this.d.lastSeen);
      // The notifier logs and swallows bus failures: presence is a hint.
      if (to.length) await this.d.notify.toUsers(to, { type: 'presence', userId, online });
    } catch (err) {
      this.d.log.warn({ err: (err as Error).message, userId }, 'presence announcement failed');
    }
  }

  /** The `offline` frame, with the last seen time for those allowed to see it. */
  private async tellOffline(userId: string, to: string[], lastSeen: LastSeenHook) {
    let seen: { at: number; shown: Set<string> } = { at: 0, shown: new Set() };
    try {
      seen = await lastSeen.offline(userId, to);
    } catch (err) {
      this.d.log.warn({ err: (err as Error).message, userId }, 'last seen not recorded');
    }
    const shown = to.filter((u) => seen.shown.has(u));
    const rest = to.filter((u) => !seen.shown.has(u));
    if (shown.length)
      await this.d.notify.toUsers(shown, { type: 'presence', userId, online: false, lastSeenAt: seen.at });
    if (rest.length) await this.d.notify.toUsers(rest, { type: 'presence', userId, online: false });
  }
}
