import type { Redis } from 'ioredis';
import { Packr } from 'msgpackr';
import { fail } from '../domain/errors.js';
import type { Bus, BusHandler, BusMessage } from './bus.js';
import { type RedisOptions, closeRedis, loggerOf, openRedis, waitFor } from './redis-client.js';

// Plain MessagePack, no records: every node decodes without shared state.
const packr = new Packr({ useRecords: false, mapsAsObjects: true, variableMapSize: true });
/** Topics re-subscribed per SUBSCRIBE command after a reconnect (keeps each command small). */
const RESUBSCRIBE_CHUNK = 500;

/**
 * The bus across nodes, over Redis pub/sub. One publisher and one subscriber connection per
 * node, whatever the number of topics or local users.
 *
 * - Channels are `<prefix>bus:<topic>`.
 * - A topic is SUBSCRIBEd when its local reference count goes 0 → 1 and UNSUBSCRIBEd at 1 → 0;
 *   both go over the one subscriber connection, so Redis applies them in call order.
 * - A message is MessagePack-encoded once per `publish` call (and once per message object when
 *   the same object is published to several topics, so a published message must not be
 *   mutated afterwards); `frames` carry their already encoded `json` string and `msgpack`
 *   bytes inside it unchanged.
 * - Publishes issued in the same tick go out in one write (ioredis auto-pipelining) and keep
 *   their order, so one publisher's messages on a topic arrive in publish order.
 * - While Redis is unreachable `healthy` is false and `publish` rejects at once with an
 *   `UNAVAILABLE` error (nothing is buffered: messages are already committed and clients catch
 *   up by sync). Both connections reconnect by themselves; the subscriber then re-subscribes
 *   every topic with a live reference before `healthy` turns true again.
 * - `subscribe` while Redis is unreachable records the reference and resolves; the topic is
 *   subscribed when the connection returns.
 */
export class RedisBus implements Bus {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly refs = new Map<string, number>();
  /** The latest SUBSCRIBE in flight per topic, so later subscribers wait for it too. */
  private readonly pending = new Map<string, Promise<void>>();
  private readonly handlers: BusHandler[] = [];
  private readonly encoded = new WeakMap<BusMessage, Buffer>();
  private readonly channelPrefix: string;
  private resubscribed = false;
  private closed = false;
  private lastHealthy = false;
  private readonly healthHandlers: ((healthy: boolean) => void)[] = [];
  private readonly log;

  constructor(opts: RedisOptions) {
    this.log = loggerOf(opts);
    this.channelPrefix = `${opts.prefix}bus:`;
    this.pub = openRedis(opts, 'bus-pub');
    this.sub = openRedis(opts, 'bus-sub');
    this.sub.on('messageBuffer', (channel: Buffer, data: Buffer) => this.receive(channel, data));
    this.sub.on('ready', () => void this.resubscribeAll());
    this.sub.on('close', () => {
      this.resubscribed = false;
    });
    for (const c of [this.pub, this.sub])
      for (const ev of ['ready', 'close', 'end']) c.on(ev, () => this.checkHealth());
  }

  onHealthChange(handler: (healthy: boolean) => void): void {
    this.healthHandlers.push(handler);
  }

  private checkHealth() {
    const now = this.healthy;
    if (now === this.lastHealthy) return;
    this.lastHealthy = now;
    if (!now) this.log.warn({}, 'bus unhealthy: publishes fail until Redis is back');
    else this.log.info({}, 'bus healthy');
    for (const h of this.healthHandlers) {
      try {
        h(now);
      } catch (err) {
        this.log.error({ err }, 'bus health handler failed');
      }
    }
  }

  get healthy(): boolean {
    return !this.closed && this.pub.status === 'ready' && this.sub.status === 'ready' && this.resubscribed;
  }

  /** Resolves once both connections are up and every topic is subscribed (startup, tests). */
  whenHealthy(timeoutMs = 10_000): Promise<void> {
    return waitFor(() => this.healthy, timeoutMs, 'the Redis bus');
  }

  /** Topics with a live local reference (for metrics and tests). */
  topics(): string[] {
    return [...this.refs.keys()];
  }

  async subscribe(topic: string): Promise<void> {
    if (this.closed) throw fail('UNAVAILABLE', 'bus closed');
    const n = (this.refs.get(topic) ?? 0) + 1;
    this.refs.set(topic, n);
    if (n === 1) this.track(topic, this.sendSubscribe([topic]));
    await this.pending.get(topic);
  }

  async unsubscribe(topic: string): Promise<void> {
    const n = this.refs.get(topic);
    if (n === undefined) return; // unbalanced: nothing to release
    if (n > 1) {
      this.refs.set(topic, n - 1);
      return;
    }
    this.refs.delete(topic);
    // Delivery stops now (receive() checks refs); the UNSUBSCRIBE only saves Redis the work.
    if (this.sub.status !== 'ready') return;
    try {
      await this.sub.unsubscribe(this.channelPrefix + topic);
    } catch {
      // The connection dropped: the re-subscribe after reconnect leaves this topic out.
    }
  }

  async publish(topic: string, msg: BusMessage): Promise<void> {
    if (this.closed) throw fail('UNAVAILABLE', 'bus closed');
    if (this.pub.status !== 'ready') throw fail('UNAVAILABLE', 'bus unavailable: Redis is not connected');
    let bytes = this.encoded.get(msg);
    if (!bytes) {
      bytes = packr.pack(msg);
      this.encoded.set(msg, bytes);
    }
    try {
      await this.pub.publish(this.channelPrefix + topic, bytes);
    } catch (err) {
      throw fail('UNAVAILABLE', `bus publish failed: ${(err as Error).message}`);
    }
  }

  onMessage(handler: BusHandler): void {
    this.handlers.push(handler);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.refs.clear();
    this.pending.clear();
    this.healthHandlers.length = 0;
    await Promise.all([closeRedis(this.pub), closeRedis(this.sub)]);
  }

  private track(topic: string, p: Promise<void>) {
    this.pending.set(topic, p);
    void p.then(() => {
      if (this.pending.get(topic) === p) this.pending.delete(topic);
    });
  }

  /** Never rejects: a failed SUBSCRIBE means the connection dropped, and the reconnect redoes it. */
  private async sendSubscribe(topics: string[]): Promise<void> {
    if (this.sub.status !== 'ready' || topics.length === 0) return;
    try {
      await this.sub.subscribe(...topics.map((t) => this.channelPrefix + t));
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'bus subscribe failed; will retry on reconnect');
    }
  }

  private async resubscribeAll() {
    this.resubscribed = false;
    const topics = [...this.refs.keys()];
    for (let i = 0; i < topics.length; i += RESUBSCRIBE_CHUNK) {
      if (this.sub.status !== 'ready') return;
      // A topic released since the snapshot must not be subscribed again.
      await this.sendSubscribe(topics.slice(i, i + RESUBSCRIBE_CHUNK).filter((t) => this.refs.has(t)));
    }
    if (this.sub.status === 'ready' && !this.closed) this.resubscribed = true;
    this.checkHealth();
  }

  private receive(channel: Buffer, data: Buffer) {
    const name = channel.toString('utf8');
    if (!name.startsWith(this.channelPrefix)) return;
    const topic = name.slice(this.channelPrefix.length);
    // Still subscribed in Redis for a moment after the last local unsubscribe: drop it here.
    if (!this.refs.has(topic)) return;
    let msg: BusMessage;
    try {
      msg = packr.unpack(data) as BusMessage;
      if (!msg || typeof msg !== 'object' || typeof msg.type !== 'string') throw new Error('not a bus message');
    } catch (err) {
      this.log.warn({ topic, err: (err as Error).message }, 'dropped an undecodable bus message');
      return;
    }
    for (const h of this.handlers) {
      try {
        h(topic, msg);
      } catch (err) {
        this.log.error({ topic, err }, 'bus handler failed');
      }
    }
  }
}
