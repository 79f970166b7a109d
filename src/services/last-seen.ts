import { fail } from '../domain/errors.js';
import { maySeeLastSeen } from '../domain/last-seen-rules.js';
import type { Actor } from './accounts.js';
import type { ServiceDeps } from './deps.js';
import type { LastSeenHook } from './presence-lifecycle.js';

/** What a viewer may know of when a user was last around (`GET /users/:id/last-seen`). */
export interface LastSeenView {
  userId: string;
  /** Epoch ms the user's last device went offline; null when hidden from the viewer or unknown. */
  lastSeenAt: number | null;
  /** Online now; null when the viewer may not know (the same rule as `lastSeenAt`). */
  online: boolean | null;
}

type Deps = Pick<ServiceDeps, 'store' | 'presence' | 'log' | 'clock'>;

/**
 * The last seen times `viewer` may see among `subjectIds` (see domain/last-seen-rules.ts): a
 * map from each visible id to its time (null when none was recorded); hidden ids are absent.
 */
export async function visibleLastSeen(
  deps: Pick<ServiceDeps, 'store'>,
  viewer: string,
  subjectIds: readonly string[],
): Promise<Map<string, number | null>> {
  const out = new Map<string, number | null>();
  if (subjectIds.length === 0) return out;
  const { store } = deps;
  const [rows, friends, blocked, blockers] = await Promise.all([
    store.lastSeen.of([viewer, ...subjectIds]),
    store.authz.friendIds(viewer),
    store.authz.blocked(viewer),
    store.authz.blockers(viewer),
  ]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const me = byId.get(viewer);
  if (!me) return out;
  const contacts = new Set(friends);
  const silent = new Set([...blocked, ...blockers]);
  for (const id of subjectIds) {
    const r = byId.get(id);
    if (!r) continue;
    const ok = maySeeLastSeen({
      self: id === viewer,
      subject: r.last_seen_privacy,
      viewer: me.last_seen_privacy,
      contacts: contacts.has(id),
      blocked: silent.has(id),
    });
    if (ok) out.set(id, r.last_seen_at);
  }
  return out;
}

/**
 * Last seen: recorded when a user's last device anywhere goes offline (the presence lifecycle
 * reports that transition once cluster-wide, also for the users of a dead node, whose time is
 * then when the cluster noticed, within the presence TTL), and shown to whom the user's
 * privacy setting allows.
 */
export class LastSeenService implements LastSeenHook {
  constructor(private readonly deps: Deps) {}

  async of(actor: Actor, userId: string): Promise<LastSeenView> {
    const seen = await visibleLastSeen(this.deps, actor.userId, [userId]);
    if (!seen.has(userId)) {
      if (!(await this.deps.store.users.byId(userId))) throw fail('USER_NOT_FOUND', 'No such user');
      return { userId, lastSeenAt: null, online: null };
    }
    let online: boolean | null = null;
    try {
      online = (await this.deps.presence.online([userId])).has(userId);
    } catch (err) {
      this.deps.log.warn({ err }, 'presence lookup failed');
    }
    return { userId, lastSeenAt: seen.get(userId) ?? null, online };
  }

  /** Records the time and answers who of `audience` (the subject's presence audience) may see it. */
  async offline(userId: string, audience: readonly string[]): Promise<{ at: number; shown: Set<string> }> {
    const { store, clock } = this.deps;
    const at = clock.now();
    await store.lastSeen.record(userId, at);
    if (audience.length === 0) return { at, shown: new Set() };
    const [rows, blocked] = await Promise.all([store.lastSeen.of([userId, ...audience]), store.authz.blocked(userId)]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const subject = byId.get(userId);
    const silent = new Set(blocked);
    const shown = new Set<string>();
    if (!subject) return { at, shown };
    // The audience are the subject's contacts, less those who blocked them.
    for (const v of audience) {
      const r = byId.get(v);
      if (!r || silent.has(v)) continue;
      const ok = maySeeLastSeen({
        self: false,
        subject: subject.last_seen_privacy,
        viewer: r.last_seen_privacy,
        contacts: true,
        blocked: false,
      });
      if (ok) shown.add(v);
    }
    return { at, shown };
  }
}
