import { randomBytes } from 'node:crypto';
import { type Clock, systemClock } from '../domain/clock.js';
import { type AddResult, type ChangeHandler, type ConnRegistry, memberOf } from './conn-registry.js';

/**
 * What Redis holds for the Redis registry, in memory: shared by the registries of several
 * in-process "nodes" (tests), or private to one node (the single-process default).
 */
export class MemoryRegistryHub {
  readonly beats = new Map<string, number>();
  readonly nodeConns = new Map<string, Set<string>>();
  readonly users = new Map<string, Map<string, number>>();
  constructor(
    readonly clock: Clock = systemClock,
    readonly ttlMs = 30_000,
  ) {}

  alive(node: string): boolean {
    const at = this.beats.get(node);
    return at !== undefined && this.clock.now() - at < this.ttlMs;
  }

  /** Live connections of a user; with `drop`, forgets the counts of dead nodes. */
  liveCount(userId: string, drop: boolean): number {
    const h = this.users.get(userId);
    if (!h) return 0;
    let n = 0;
    for (const [node, c] of h) {
      if (this.alive(node)) n += c;
      else if (drop) h.delete(node);
    }
    if (h.size === 0) this.users.delete(userId);
    return n;
  }
}

export interface MemoryRegistryOptions {
  hub?: MemoryRegistryHub;
  nodeId?: string;
}

/** {@link ConnRegistry} in memory, with the same rules as the Redis one. */
export class MemoryConnRegistry implements ConnRegistry {
  readonly nodeId: string;
  private readonly hub: MemoryRegistryHub;
  private readonly handlers: ChangeHandler[] = [];
  private readonly local = new Map<string, number>();
  private stopTimer: (() => void) | undefined;

  constructor(opts: MemoryRegistryOptions = {}) {
    this.hub = opts.hub ?? new MemoryRegistryHub();
    this.nodeId = opts.nodeId ?? randomBytes(6).toString('hex');
    this.hub.beats.set(this.nodeId, this.hub.clock.now());
    this.stopTimer = this.hub.clock.setInterval(() => this.beat(), Math.max(1, Math.floor(this.hub.ttlMs / 3)));
  }

  private beat() {
    this.hub.beats.set(this.nodeId, this.hub.clock.now());
    void this.sweep();
  }

  async add(userId: string, connId: string, limit = 0): Promise<AddResult> {
    const m = memberOf(userId, connId);
    const conns = this.nodeConns();
    if (conns.has(m)) return { status: 'exists', first: false };
    const before = this.hub.liveCount(userId, true);
    if (limit > 0 && before >= limit) return { status: 'full', first: false };
    conns.add(m);
    let h = this.hub.users.get(userId);
    if (!h) this.hub.users.set(userId, (h = new Map()));
    h.set(this.nodeId, (h.get(this.nodeId) ?? 0) + 1);
    this.local.set(userId, (this.local.get(userId) ?? 0) + 1);
    return { status: 'added', first: before === 0 };
  }

  async remove(userId: string, connId: string) {
    if (!this.nodeConns().delete(memberOf(userId, connId))) return { removed: false, last: false };
    const l = (this.local.get(userId) ?? 1) - 1;
    if (l > 0) this.local.set(userId, l);
    else this.local.delete(userId);
    const h = this.hub.users.get(userId);
    const n = (h?.get(this.nodeId) ?? 1) - 1;
    if (n > 0) h!.set(this.nodeId, n);
    else h?.delete(this.nodeId);
    return { removed: true, last: this.hub.liveCount(userId, true) === 0 };
  }

  async online(userIds: readonly string[]) {
    return new Set(userIds.filter((u) => this.hub.liveCount(u, false) > 0));
  }

  async count(userId: string) {
    return this.hub.liveCount(userId, false);
  }

  localCount(userId: string) {
    return this.local.get(userId) ?? 0;
  }

  async sweep(): Promise<string[]> {
    const out: string[] = [];
    for (const node of [...this.hub.beats.keys()]) {
      if (this.hub.alive(node)) continue;
      this.hub.beats.delete(node);
      for (const m of this.hub.nodeConns.get(node) ?? []) {
        const u = m.slice(0, m.indexOf('\n'));
        const h = this.hub.users.get(u);
        if (h?.delete(node) && this.hub.liveCount(u, false) === 0) out.push(u);
      }
      this.hub.nodeConns.delete(node);
    }
    if (out.length) for (const h of this.handlers) h(out, false);
    return out;
  }

  onChange(handler: ChangeHandler) {
    this.handlers.push(handler);
  }

  /** Stops the heartbeat and the sweeps, nothing else (a subclass in test/support uses it to stand for a killed node). */
  protected stop() {
    this.stopTimer?.();
    this.stopTimer = undefined;
  }

  async close() {
    this.stop();
    // Marked dead: the next sweep anywhere reports this node's users offline.
    this.hub.beats.set(this.nodeId, -Infinity);
    this.local.clear();
  }

  private nodeConns() {
    let s = this.hub.nodeConns.get(this.nodeId);
    if (!s) this.hub.nodeConns.set(this.nodeId, (s = new Set()));
    return s;
  }
}
