import type { AuthzRepo, GroupFacts, GroupMembership } from '../store/authz.js';

/**
 * Invalidation keys: every cached fact about a user (friendships, blocks, memberships) or a
 * group (state, memberships). They cross the bus in `invalidate` notices, so their spelling is
 * part of the cluster's wire format.
 */
export const userFacts = (userId: string) => `user:${userId}`;
export const groupFacts = (groupId: string) => `group:${groupId}`;

/**
 * Authorization facts (friendship, blocks, group membership, group state) kept in memory so a
 * send costs no database read. Entries are dropped by `invalidate(keys)`, which
 * `AuthzInvalidations` (authz-invalidations.ts) calls for every `invalidate` bus message on
 * the cluster topic (keys from {@link userFacts} and {@link groupFacts}, published by the
 * contacts/groups services after they commit a change).
 * A load that started before an invalidation is not cached (generation check), so a stale
 * answer cannot outlive the invalidation that should have removed it. Size is bounded (LRU-ish).
 */
export class AuthzCache {
  private readonly map = new Map<string, { tags: string[]; value: unknown }>();
  private generation = 0;
  /**
   * Set while invalidations cannot arrive (the bus is down, so another node's change would go
   * unnoticed): every lookup reads the repo and nothing is cached.
   */
  bypass = false;

  constructor(
    private readonly repo: AuthzRepo,
    private readonly max = 50_000,
  ) {}

  pair(a: string, b: string): Promise<{ friends: boolean; blocked: boolean }> {
    const [x, y] = a < b ? [a, b] : [b, a];
    return this.cached(`pair:${x}:${y}`, [userFacts(x), userFacts(y)], () => this.repo.pair(x, y));
  }

  membership(groupId: string, userId: string): Promise<GroupMembership | null> {
    return this.cached(`member:${groupId}:${userId}`, [groupFacts(groupId), userFacts(userId)], () =>
      this.repo.membership(groupId, userId),
    );
  }

  group(groupId: string): Promise<GroupFacts> {
    return this.cached(`group:${groupId}`, [groupFacts(groupId)], () => this.repo.group(groupId));
  }

  /**
   * Users who blocked this user: live frames about this user's actions skip them. A block
   * invalidates both users' facts, so the list follows blocks and unblocks.
   */
  blockers(userId: string): Promise<string[]> {
    return this.cached(`blockers:${userId}`, [userFacts(userId)], () => this.repo.blockers(userId));
  }

  invalidate(keys: readonly string[]) {
    this.generation++;
    const drop = new Set(keys);
    for (const [k, v] of this.map) if (v.tags.some((t) => drop.has(t))) this.map.delete(k);
  }

  clear() {
    this.generation++;
    this.map.clear();
  }

  private async cached<T>(key: string, tags: string[], load: () => Promise<T>): Promise<T> {
    if (this.bypass) return load();
    const hit = this.map.get(key);
    if (hit) {
      // Re-insert so the oldest-used entries are the first ones evicted.
      this.map.delete(key);
      this.map.set(key, hit);
      return hit.value as T;
    }
    const gen = this.generation;
    const value = await load();
    if (gen === this.generation) {
      this.map.set(key, { tags, value });
      if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
    }
    return value;
  }
}
