import type { ConnRegistry } from './conn-registry.js';
import { MemoryConnRegistry, type MemoryRegistryOptions } from './memory-conn-registry.js';

/**
 * Live WebSocket connections per user, cluster-wide, for the per-user connection limit.
 *
 * Contract (connection-counter conformance suite):
 * - `acquire` registers the connection only if the user has fewer than `limit` live
 *   connections on all nodes together, in one atomic step: two nodes racing for the last slot
 *   cannot both get it. Acquiring the same connection twice is a no-op that answers true.
 * - `release` frees the slot; releasing an unknown connection is a no-op. It never rejects.
 * - The connections of a node that dies stop counting after the TTL (its heartbeat lapses).
 * - While the broker is unreachable the limit falls back to this node's own connections (a
 *   user may then exceed the limit across nodes, never on one node); the node re-registers
 *   its connections when the broker is back.
 */
export interface ConnectionCounter {
  acquire(userId: string, connId: string, limit: number): Promise<boolean>;
  release(userId: string, connId: string): Promise<void>;
  /** Live connections of the user, cluster-wide. */
  count(userId: string): Promise<number>;
  close(): Promise<void>;
}

/** The counter over a {@link ConnRegistry}. */
export class RegistryConnectionCounter implements ConnectionCounter {
  constructor(readonly registry: ConnRegistry) {}

  async acquire(userId: string, connId: string, limit: number) {
    try {
      return (await this.registry.add(userId, connId, limit)).status !== 'full';
    } catch {
      // Broker unreachable: the registry kept the connection in its own list.
      if (this.registry.localCount(userId) <= limit) return true;
      await this.release(userId, connId);
      return false;
    }
  }

  async release(userId: string, connId: string) {
    try {
      await this.registry.remove(userId, connId);
    } catch {
      // Removed from the node's own list; Redis is reconciled when it is back.
    }
  }

  count(userId: string) {
    return this.registry.count(userId);
  }

  close() {
    return this.registry.close();
  }
}

/** The counter in memory (one node, or a cluster of in-process nodes sharing a hub). */
export class MemoryConnectionCounter extends RegistryConnectionCounter {
  constructor(opts: MemoryRegistryOptions = {}) {
    super(new MemoryConnRegistry(opts));
  }
}
