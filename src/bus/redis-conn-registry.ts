import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { type Logger, silentLogger } from '../domain/logger.js';
import { type AddResult, type ChangeHandler, type ConnRegistry, memberOf } from './conn-registry.js';
import * as lua from './redis-conn-scripts.js';

type Script = (...args: (string | number)[]) => Promise<unknown>;
const SCRIPTS = {
  regAdd: lua.ADD,
  regRemove: lua.REMOVE,
  regOnline: lua.ONLINE,
  regBeat: lua.BEAT,
  regJoin: lua.JOIN,
  regSweep: lua.SWEEP,
  regCount: lua.COUNT,
};
type WithScripts = Redis & Record<keyof typeof SCRIPTS, Script>;

/** Entries purged or re-registered per script call, so no call blocks Redis for long. */
const BUDGET = 1000;

export interface RedisRegistryOptions {
  /** A command connection (not owned: the caller closes it). */
  client: Redis;
  prefix: string;
  /** Keeps registries of different purposes apart (`presence`, `conns`). */
  namespace: string;
  nodeId?: string;
  /** A node without a heartbeat for this long is dead; it beats every ttl/3. */
  ttlMs: number;
  log?: Logger;
}

/**
 * {@link ConnRegistry} over Redis (Lua scripts in `redis-conn-scripts.ts`). The node keeps its
 * own list of connections in memory; whenever Redis may have lost or expired its entries (a
 * failed call, a lapsed heartbeat, a restarted Redis) it re-registers from that list.
 */
export class RedisConnRegistry implements ConnRegistry {
  readonly nodeId: string;
  private readonly client: WithScripts;
  private readonly base: string;
  private readonly ttl: number;
  private readonly log: Logger;
  private readonly handlers: ChangeHandler[] = [];
  /** member → user, for every connection of this node. */
  private readonly local = new Map<string, string>();
  private readonly perUser = new Map<string, number>();
  /** Members whose `add` is in flight: a re-registration leaves them to that `add`. */
  private readonly pending = new Set<string>();
  private dirty = true;
  private joining: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private halted = false;
  private failing = false;
  private ticking = false;

  constructor(opts: RedisRegistryOptions) {
    this.nodeId = opts.nodeId ?? randomBytes(6).toString('hex');
    this.base = `${opts.prefix}${opts.namespace}:`;
    this.ttl = opts.ttlMs;
    this.log = opts.log ?? silentLogger;
    const c = opts.client as WithScripts;
    for (const [name, src] of Object.entries(SCRIPTS)) {
      if (typeof (c as unknown as Record<string, unknown>)[name] !== 'function')
        c.defineCommand(name, { numberOfKeys: 0, lua: src });
    }
    this.client = c;
    this.timer = setInterval(() => void this.tick(), Math.max(10, Math.floor(this.ttl / 3)));
    this.timer.unref();
    if (c.status === 'ready') void this.tick();
    else c.once('ready', () => void this.tick());
  }

  async add(userId: string, connId: string, limit = 0): Promise<AddResult> {
    this.check();
    const m = memberOf(userId, connId);
    if (this.local.has(m)) return { status: 'exists', first: false };
    this.remember(m, userId);
    this.pending.add(m);
    try {
      await this.ensureJoined();
      let [st, first] = (await this.client.regAdd(this.base, this.nodeId, this.ttl, userId, connId, limit)) as number[];
      if (st === -1) {
        // Our heartbeat lapsed (Redis was away or restarted): re-register, then try again.
        this.dirty = true;
        await this.ensureJoined();
        [st, first] = (await this.client.regAdd(this.base, this.nodeId, this.ttl, userId, connId, limit)) as number[];
        if (st === -1) throw new Error('presence registry: node could not re-register');
      }
      if (st === -2) {
        this.forget(m, userId);
        return { status: 'full', first: false };
      }
      return { status: st === 1 ? 'added' : 'exists', first: first === 1 };
    } catch (err) {
      this.dirty = true;
      throw err;
    } finally {
      this.pending.delete(m);
    }
  }

  async remove(userId: string, connId: string) {
    this.check();
    const m = memberOf(userId, connId);
    if (!this.local.has(m)) return { removed: false, last: false };
    this.forget(m, userId);
    try {
      await this.ensureJoined();
      const [st, last] = (await this.client.regRemove(this.base, this.nodeId, this.ttl, userId, connId)) as number[];
      if (st === -1) {
        // Re-registering leaves this connection out and reports the user if now offline.
        this.dirty = true;
        await this.ensureJoined();
        return { removed: true, last: false };
      }
      return { removed: true, last: last === 1 };
    } catch (err) {
      this.dirty = true;
      throw err;
    }
  }

  async online(userIds: readonly string[]) {
    const out = new Set<string>();
    for (let i = 0; i < userIds.length; i += BUDGET) {
      const chunk = userIds.slice(i, i + BUDGET);
      if (!chunk.length) break;
      const flags = (await this.client.regOnline(this.base, ...chunk)) as number[];
      chunk.forEach((u, j) => {
        if (flags[j] === 1) out.add(u);
      });
    }
    return out;
  }

  async count(userId: string) {
    return Number(await this.client.regCount(this.base, userId));
  }

  localCount(userId: string) {
    return this.perUser.get(userId) ?? 0;
  }

  async sweep(): Promise<string[]> {
    const users = new Set<string>();
    for (;;) {
      const [done, found] = (await this.client.regSweep(this.base, BUDGET)) as [number, string[]];
      for (const u of found) users.add(u);
      if (done === 1) break;
    }
    const out = [...users];
    this.emit(out, false);
    return out;
  }

  onChange(handler: ChangeHandler) {
    this.handlers.push(handler);
  }

  /** Stops all work, with no cleanup in Redis (a subclass in test/support uses it to stand for a killed node). */
  protected stop() {
    this.halted = true;
    clearInterval(this.timer);
  }

  async close() {
    if (this.halted) return;
    this.stop();
    try {
      // Others sweep this node at their next beat instead of waiting for the ttl.
      await this.client.del(`${this.base}node:${this.nodeId}`);
    } catch {
      /* Redis is away: the heartbeat key expires by itself */
    }
    this.local.clear();
    this.perUser.clear();
  }

  private check() {
    if (this.halted) throw new Error('registry closed');
  }

  private remember(m: string, userId: string) {
    this.local.set(m, userId);
    this.perUser.set(userId, (this.perUser.get(userId) ?? 0) + 1);
  }

  private forget(m: string, userId: string) {
    if (!this.local.delete(m)) return;
    const n = (this.perUser.get(userId) ?? 1) - 1;
    if (n > 0) this.perUser.set(userId, n);
    else this.perUser.delete(userId);
  }

  private emit(users: string[], online: boolean) {
    if (!users.length) return;
    for (const h of this.handlers) {
      try {
        h(users, online);
      } catch (err) {
        this.log.error({ err }, 'presence change handler failed');
      }
    }
  }

  private async tick() {
    // A slow Redis must not pile up overlapping heartbeats.
    if (this.halted || this.ticking) return;
    this.ticking = true;
    try {
      if (!this.dirty && (await this.client.regBeat(this.base, this.nodeId, this.ttl)) === -1) this.dirty = true;
      await this.ensureJoined();
      await this.sweep();
      if (this.failing) this.log.info({ registry: this.base }, 'registry back in sync with Redis');
      this.failing = false;
    } catch (err) {
      if (!this.failing)
        this.log.warn(
          { registry: this.base, err: (err as Error).message },
          'registry heartbeat failed; will re-register when Redis is back',
        );
      this.failing = true;
      this.dirty = true;
    } finally {
      this.ticking = false;
    }
  }

  private async ensureJoined(): Promise<void> {
    while (this.dirty || this.joining) {
      this.joining ??= this.rejoin().finally(() => {
        this.joining = undefined;
      });
      await this.joining;
    }
  }

  /** Purges what Redis holds for this node and registers this node's list again. */
  private async rejoin(): Promise<void> {
    this.dirty = false;
    try {
      const purged = new Set<string>();
      for (;;) {
        const [done, found] = (await this.client.regJoin(this.base, this.nodeId, this.ttl, BUDGET)) as [
          number,
          string[],
        ];
        for (const u of found) purged.add(u);
        if (done === 1) break;
      }
      const cameBack = new Set<string>();
      const members = [...this.local.entries()];
      for (let i = 0; i < members.length; i += BUDGET) {
        const chunk = members.slice(i, i + BUDGET).filter(([m]) => this.local.has(m) && !this.pending.has(m));
        const results = await Promise.all(
          chunk.map(
            ([m, u]) =>
              this.client.regAdd(this.base, this.nodeId, this.ttl, u, m.slice(u.length + 1), 0) as Promise<number[]>,
          ),
        );
        results.forEach((r, j) => {
          if (r[1] === 1) cameBack.add(chunk[j]![1]);
        });
      }
      this.emit(
        [...purged].filter((u) => !this.perUser.has(u)),
        false,
      );
      this.emit([...cameBack], true);
    } catch (err) {
      this.dirty = true;
      throw err;
    }
  }
}
