import type { Bus, BusMessage } from '../bus/bus.js';
import type { Logger } from '../domain/logger.js';
import { groupTopic, userTopic } from '../domain/topics.js';
import { type CodecName, CloseCodes } from '@parley/client';
import { type PreparedFrame, prepareFrame } from './prepared-frame.js';

/** What the hub needs of a live socket. */
export interface HubConn {
  readonly id: string;
  readonly userId: string;
  readonly sessionId: string;
  readonly codec: CodecName;
  /** Writes already-encoded bytes; the connection enforces its slow-consumer limit. */
  write(data: string | Uint8Array): void;
  /** Writes a frame framed once for many sockets (same limits as `write`). */
  writeFrame(frame: PreparedFrame): void;
  close(code: number, reason: string): void;
}

/**
 * The node's registry of local connections, by user and by bus topic. It subscribes a topic
 * on the bus when the first local connection needs it and unsubscribes after the last, and
 * turns bus messages into socket writes: the same bytes (one encoding per codec) go to every
 * socket. Of the control messages it handles only those about its own sockets (topic changes,
 * revoked sessions); cluster-wide control (cache invalidations, presence) lives in services/
 * and runs on every role. It never touches the store.
 */
export class Hub {
  private readonly byUser = new Map<string, Set<HubConn>>();
  private readonly byTopic = new Map<string, Set<HubConn>>();
  private readonly topicsOf = new Map<HubConn, Set<string>>();

  constructor(
    private readonly bus: Bus,
    private readonly log: Logger,
    private readonly onDelivered: (n: number) => void = () => {},
  ) {
    bus.onMessage((topic, msg) => this.onBus(topic, msg));
  }

  connectionsOf(userId: string): number {
    return this.byUser.get(userId)?.size ?? 0;
  }

  get size(): number {
    return this.topicsOf.size;
  }

  all(): HubConn[] {
    return [...this.topicsOf.keys()];
  }

  /** Registers a connection on its user topic and its groups' topics; resolves once subscribed. */
  async add(conn: HubConn, groupIds: readonly string[]): Promise<void> {
    let set = this.byUser.get(conn.userId);
    if (!set) this.byUser.set(conn.userId, (set = new Set()));
    set.add(conn);
    this.topicsOf.set(conn, new Set());
    await Promise.all([userTopic(conn.userId), ...groupIds.map(groupTopic)].map((t) => this.join(conn, t)));
  }

  async remove(conn: HubConn): Promise<void> {
    const topics = this.topicsOf.get(conn);
    if (!topics) return;
    this.topicsOf.delete(conn);
    const set = this.byUser.get(conn.userId);
    set?.delete(conn);
    if (set && set.size === 0) this.byUser.delete(conn.userId);
    await Promise.all([...topics].map((t) => this.leave(conn, t)));
  }

  private async join(conn: HubConn, topic: string) {
    const mine = this.topicsOf.get(conn);
    if (!mine || mine.has(topic)) return;
    mine.add(topic);
    let set = this.byTopic.get(topic);
    if (!set) this.byTopic.set(topic, (set = new Set()));
    set.add(conn);
    if (set.size === 1) await this.bus.subscribe(topic);
  }

  private async leave(conn: HubConn, topic: string) {
    this.topicsOf.get(conn)?.delete(topic);
    const set = this.byTopic.get(topic);
    if (!set?.delete(conn)) return;
    if (set.size === 0) {
      this.byTopic.delete(topic);
      await this.bus.unsubscribe(topic);
    }
  }

  private onBus(topic: string, msg: BusMessage) {
    try {
      switch (msg.type) {
        case 'frames':
          this.deliver(topic, msg);
          break;
        case 'topic.join':
        case 'topic.leave':
          if (topic !== userTopic(msg.userId)) break;
          for (const c of this.byUser.get(msg.userId) ?? []) {
            void (msg.type === 'topic.join' ? this.join(c, msg.topic) : this.leave(c, msg.topic)).catch((err) =>
              this.log.warn({ err }, 'topic change failed'),
            );
          }
          break;
        case 'sessions.revoked': {
          if (topic !== userTopic(msg.userId)) break;
          const ids = new Set(msg.sessionIds);
          for (const c of [...(this.byUser.get(msg.userId) ?? [])])
            if (ids.has(c.sessionId)) c.close(CloseCodes.SESSION_REVOKED, 'session revoked');
          break;
        }
      }
    } catch (err) {
      this.log.error({ err, topic }, 'bus message handling failed');
    }
  }

  private deliver(topic: string, msg: Extract<BusMessage, { type: 'frames' }>) {
    const set = this.byTopic.get(topic);
    if (!set) return;
    let n = 0;
    // Framed once per codec, lazily (a topic may have no socket of one codec); the same Buffer
    // goes to every socket: nothing per recipient but the write itself.
    let json: PreparedFrame | undefined;
    let pack: PreparedFrame | undefined;
    const skip = msg.exceptUsers?.length ? new Set(msg.exceptUsers) : undefined;
    for (const c of set) {
      if (c.id === msg.exceptConn || c.userId === msg.exceptUser || skip?.has(c.userId)) continue;
      c.writeFrame(
        c.codec === 'json' ? (json ??= prepareFrame(msg.json, false)) : (pack ??= prepareFrame(msg.msgpack, true)),
      );
      n++;
    }
    this.onDelivered(n);
  }
}
