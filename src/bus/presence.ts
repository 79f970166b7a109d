/**
 * Who is online, across nodes. A user is online while at least one connection of theirs is
 * registered on a node that keeps refreshing; a node that dies stops refreshing and its
 * entries expire after the presence TTL, so its users go offline by themselves.
 *
 * Contract (presence conformance suite):
 * - `connect` then `online([u])` → true; after the last `disconnect` of u → false.
 * - Two connections of one user: offline only after both disconnect.
 * - `connect` returns true when the user was offline before (the first device), and
 *   `disconnect` returns true when the user is now offline (the last device), so the caller
 *   can announce the change exactly once per transition cluster-wide.
 */
export interface Presence {
  connect(userId: string, connId: string): Promise<boolean>;
  disconnect(userId: string, connId: string): Promise<boolean>;
  online(userIds: readonly string[]): Promise<Set<string>>;
  close(): Promise<void>;
}

/** Presence for one node: a map in memory. */
export class MemoryPresence implements Presence {
  private readonly conns = new Map<string, Set<string>>();

  async connect(userId: string, connId: string) {
    let set = this.conns.get(userId);
    const first = !set || set.size === 0;
    if (!set) this.conns.set(userId, (set = new Set()));
    set.add(connId);
    return first;
  }

  async disconnect(userId: string, connId: string) {
    const set = this.conns.get(userId);
    if (!set || !set.delete(connId)) return false;
    if (set.size > 0) return false;
    this.conns.delete(userId);
    return true;
  }

  async online(userIds: readonly string[]) {
    return new Set(userIds.filter((u) => (this.conns.get(u)?.size ?? 0) > 0));
  }

  async close() {
    this.conns.clear();
  }
}
