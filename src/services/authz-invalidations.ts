import type { Bus } from '../bus/bus.js';
import { CLUSTER_TOPIC } from '../domain/topics.js';
import type { AuthzCache } from './authz-cache.js';

/**
 * Keeps this node's {@link AuthzCache} true to the cluster. It runs on every node whatever its
 * role (REST sends on an `api` node read the cache too):
 * - it subscribes the cluster topic and applies every `invalidate` notice published there
 *   (by the contacts and groups services of any node, after they commit a change);
 * - while the bus is unhealthy those notices cannot arrive, so the cache is bypassed (every
 *   lookup reads the store and nothing is cached), and on every health change it starts over
 *   empty, so nothing cached before an outage survives it.
 */
export class AuthzInvalidations {
  private running = false;

  constructor(
    private readonly bus: Bus,
    private readonly cache: AuthzCache,
  ) {}

  /** Resolves once the cluster topic is subscribed. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.cache.bypass = !this.bus.healthy;
    this.bus.onHealthChange?.((healthy) => {
      if (!this.running) return;
      this.cache.bypass = !healthy;
      this.cache.clear();
    });
    this.bus.onMessage((topic, msg) => {
      if (this.running && topic === CLUSTER_TOPIC && msg.type === 'invalidate') this.cache.invalidate(msg.keys);
    });
    await this.bus.subscribe(CLUSTER_TOPIC);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    // The bus may already be closed or unreachable at shutdown; there is nothing left to stop then.
    await this.bus.unsubscribe(CLUSTER_TOPIC).catch(() => {});
  }
}
