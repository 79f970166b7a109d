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
  readonly healthy = true;

  constructor(private readonly broker: MemoryBroker = new MemoryBroker()) {
    broker.buses.add(this);
  }

  async subscribe(topic: string) {
    this.refs.set(topic, (this.refs.get(topic) ?? 0) + 1);
  }

  async unsubscribe(topic: string) {
    const n = (this.refs.get(topic) ?? 0) - 1;
    if (n > 0) this.refs.set(topic, n);
    else this.refs.delete(topic);
  }

  async publish(topic: string, msg: BusMessage) {
    for (const bus of this.broker.buses) bus.deliver(topic, msg);
  }

  onMessage(handler: BusHandler) {
    this.handlers.push(handler);
  }

  private deliver(topic: string, msg: BusMessage) {
    if (!this.refs.has(topic)) return;
    for (const h of this.handlers) h(topic, msg);
  }

  async close() {
    this.broker.buses.delete(this);
    this.refs.clear();
  }
}
