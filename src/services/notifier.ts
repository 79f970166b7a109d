import type { Bus, BusMessage } from '../bus/bus.js';
import type { Logger } from '../domain/logger.js';
import { CLUSTER_TOPIC, conversationTopics, userTopic } from '../domain/topics.js';
import { msgpackCodec, type ServerFrame } from '@parley/client';
import type { EntryRow, UserEventRow } from '../store/log.js';
import { type MediaSigner, toEntry, toUserEvent } from './entries-view.js';

/**
 * Told of every committed entry and user event as it is published (Web Push listens). Called
 * synchronously on the publishing path, so it must only queue work, never throw or wait.
 */
export interface NotifierWatcher {
  entries?(conversationId: string, rows: readonly EntryRow[]): void;
  userEvents?(rows: readonly UserEventRow[]): void;
}

/**
 * Live fan-out after commit. Every frame is encoded once per codec here and crosses the bus
 * already encoded; gateways only write bytes. Failures are logged, never thrown: the store
 * already holds the truth and clients catch up by sync.
 */
export class Notifier {
  constructor(
    private readonly bus: Bus,
    private readonly log: Logger,
    /** Adds fresh media URLs to the entries it publishes (none: media refs go out bare). */
    private readonly sign?: MediaSigner,
  ) {}

  private readonly watchers: NotifierWatcher[] = [];

  /** Adds a watcher of everything published from now on. */
  watch(watcher: NotifierWatcher): void {
    this.watchers.push(watcher);
  }

  private tell(fn: (w: NotifierWatcher) => void) {
    for (const w of this.watchers) {
      try {
        fn(w);
      } catch (err) {
        this.log.warn({ err }, 'a publish watcher failed');
      }
    }
  }

  /** Publishes new entries of one conversation to everyone in it, in seq order. */
  async entries(conversationId: string, rows: readonly EntryRow[], exceptConn?: string): Promise<void> {
    this.tell((w) => w.entries?.(conversationId, rows));
    const topics = conversationTopics(conversationId);
    for (const row of rows) {
      await this.publish(topics, { type: 'message', entry: toEntry(row, this.sign) }, exceptConn);
    }
  }

  /** Delivers per-user event log rows as `event` frames to each user's devices. */
  async userEvents(rows: readonly UserEventRow[]): Promise<void> {
    this.tell((w) => w.userEvents?.(rows));
    for (const row of rows) await this.publish([userTopic(row.user_id)], { type: 'event', event: toUserEvent(row) });
  }

  async toUsers(userIds: readonly string[], frame: ServerFrame, exceptConn?: string): Promise<void> {
    await this.publish(userIds.map(userTopic), frame, exceptConn);
  }

  /**
   * `exceptUser`: none of that user's sockets get the frame (typing is not echoed to the typist);
   * `exceptUsers`: nor do these users' (those who blocked the actor).
   */
  async toConversation(
    conversationId: string,
    frame: ServerFrame,
    exceptConn?: string,
    exceptUser?: string,
    exceptUsers?: readonly string[],
  ): Promise<void> {
    await this.publish(conversationTopics(conversationId), frame, exceptConn, exceptUser, exceptUsers);
  }

  /** Asks every node holding this user's sockets to (un)subscribe them to a topic (group joins). */
  async joinTopic(userId: string, topic: string): Promise<void> {
    await this.safe(() => this.bus.publish(userTopic(userId), { type: 'topic.join', userId, topic }));
  }

  async leaveTopic(userId: string, topic: string): Promise<void> {
    await this.safe(() => this.bus.publish(userTopic(userId), { type: 'topic.leave', userId, topic }));
  }

  /** Drops cached authorization facts on every node: keys from `userFacts`/`groupFacts` (authz-cache.ts). */
  async invalidate(keys: string[]): Promise<void> {
    if (keys.length) await this.safe(() => this.bus.publish(CLUSTER_TOPIC, { type: 'invalidate', keys }));
  }

  private async publish(
    topics: string[],
    frame: ServerFrame,
    exceptConn?: string,
    exceptUser?: string,
    exceptUsers?: readonly string[],
  ) {
    // One message object for every topic: the Redis bus packs each object once (a DM goes to
    // two user topics with one encoding). It is never mutated after publishing. The MessagePack
    // encoding is made on first read: by the Redis bus, or by the hub for the first MessagePack
    // socket; a node whose recipients all speak JSON never makes it (2–3% of the one-to-one
    // profile, BENCHMARKS.md). Frames are not changed after they are published.
    let packed: Uint8Array | undefined;
    const msg: BusMessage = {
      type: 'frames',
      json: JSON.stringify(frame),
      get msgpack() {
        packed ??= msgpackCodec.encode(frame) as Uint8Array;
        return packed;
      },
      ...(exceptConn ? { exceptConn } : {}),
      ...(exceptUser ? { exceptUser } : {}),
      ...(exceptUsers?.length ? { exceptUsers: [...exceptUsers] } : {}),
    };
    for (const topic of topics) {
      await this.safe(() => this.bus.publish(topic, msg));
    }
  }

  private async safe(fn: () => Promise<void>) {
    try {
      await fn();
    } catch (err) {
      this.log.warn({ err }, 'bus publish failed; clients will catch up by sync');
    }
  }
}
