import { fail } from '../domain/errors.js';
import type { Bus, BusHandler, BusMessage } from './bus.js';

/**
 * The single-node bus: delivery is a function call. Several MemoryBus instances can share one
 * {@link MemoryBroker} to stand for several nodes in one process (used by tests).
 */
export class MemoryBroker {
  readonly buses = new Set<MemoryBus>();
}

export class MemoryBus implements Bus {
  private readonly refs = new Map<string, number>();
  private readonly handlers: BusHandler[] = [];
  private closed = false;

  get healthy() {
    return !this.closed;
  }

  constructor(private readonly broker: MemoryBroker = new MemoryBroker()) {
    broker.buses.add(this);
  }

  async subscribe(topic: string) {
    if (this.closed) throw fail('UNAVAILABLE', 'bus closed');
    this.refs.set(topic, (this.refs.get(topic) ?? 0) + 1);
  }

  async unsubscribe(topic: string) {
    if (!this.refs.has(topic)) return;
    const n = this.refs.get(topic)! - 1;
    if (n > 0) this.refs.set(topic, n);
    else this.refs.delete(topic);
  }

  async publish(topic: string, msg: BusMessage) {
    if (this.closed) throw fail('UNAVAILABLE', 'bus closed');
    for (const bus of this.broker.buses) bus.deliver(topic, msg);
  }

  /** An in-process bus never goes down; only `close` ends it. */
  onHealthChange(_handler: (healthy: boolean) => void) {}

  onMessage(handler: BusHandler) {
    this.handlers.push(handler);
  }

  private deliver(topic: string, msg: BusMessage) {
    if (!this.refs.has(topic)) return;
    for (const h of this.handlers) {
      try {
        h(topic, msg);
      } catch {
        // One failing handler must not stop delivery to the others (as on Redis).
      }
    }
  }

  async close() {
    this.closed = true;
    this.broker.buses.delete(this);
    this.refs.clear();
  }
}
