import type { ChangeHandler, ConnRegistry } from './conn-registry.js';
import { MemoryConnRegistry, type MemoryRegistryOptions } from './memory-conn-registry.js';

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
 *   can announce the change exactly once per transition cluster-wide. Both are atomic
 *   cluster-wide (two nodes racing for a user's first device: exactly one gets true).
 * - `online(userIds)` answers for many users in one round trip.
 * - Users of a node that stopped refreshing for the TTL are offline; every node sweeps every
 *   TTL/3 and exactly one of them reports those users through `onChange(users, false)`.
 * - When the broker is unreachable `connect`/`disconnect` reject; the node still records the
 *   change locally and reconciles when the broker is back, reporting what changed through
 *   `onChange` (a user can then be reported online while already known online: announcing
 *   presence is idempotent, so callers need not care).
 */
export interface Presence {
  connect(userId: string, connId: string): Promise<boolean>;
  disconnect(userId: string, connId: string): Promise<boolean>;
  online(userIds: readonly string[]): Promise<Set<string>>;
  /** Transitions not returned by a local connect/disconnect (a dead node's users, reconciliation). */
  onChange(handler: ChangeHandler): void;
  close(): Promise<void>;
}

/** Presence over a {@link ConnRegistry}: the memory and Redis flavours differ only there. */
export class RegistryPresence implements Presence {
  constructor(readonly registry: ConnRegistry) {}

  async connect(userId: string, connId: string) {
    return (await this.registry.add(userId, connId)).first;
  }

  async disconnect(userId: string, connId: string) {
    return (await this.registry.remove(userId, connId)).last;
  }

  online(userIds: readonly string[]) {
    return this.registry.online(userIds);
  }

  onChange(handler: ChangeHandler) {
    this.registry.onChange(handler);
  }

  /** Runs a sweep now (it also runs by itself every TTL/3). */
  sweep() {
    return this.registry.sweep();
  }

  close() {
    return this.registry.close();
  }
}

/**
 * Presence in memory: one node on its own by default; nodes sharing a
 * {@link MemoryRegistryHub} stand for a cluster in tests.
 */
export class MemoryPresence extends RegistryPresence {
  constructor(opts: MemoryRegistryOptions = {}) {
    super(new MemoryConnRegistry(opts));
  }
}
