/**
 * What crosses nodes. `frames` carries a server→client frame already encoded once per codec,
 * so fan-out on every node is a plain socket write; the other types are control messages.
 */
export type BusMessage =
  | {
      type: 'frames';
      json: string;
      msgpack: Uint8Array;
      exceptConn?: string;
      exceptUser?: string;
      /** Users none of whose sockets get the frames (those who blocked the actor). */
      exceptUsers?: string[];
    }
  | { type: 'sessions.revoked'; userId: string; sessionIds: string[] }
  | { type: 'invalidate'; keys: string[] }
  | { type: 'topic.join'; userId: string; topic: string }
  | { type: 'topic.leave'; userId: string; topic: string };

export type BusHandler = (topic: string, msg: BusMessage) => void;

/**
 * Publish/subscribe between nodes, by topic (`user:<id>`, `group:<id>`, `cluster`).
 *
 * Contract (checked by the bus conformance suite for every implementation):
 * - A message published on a topic reaches every handler on every node that is subscribed to
 *   that topic when it is published, the publishing node included, at most once.
 * - Messages from one publisher on one topic arrive in publish order.
 * - `subscribe` resolves once delivery is active; `unsubscribe` once it has stopped.
 *   Subscriptions are reference-counted: N subscribes need N unsubscribes.
 * - Delivery is best effort: the store is the truth and clients catch up by sync.
 * - `publish` rejects at once with an `UNAVAILABLE` AppError when it cannot deliver (it never
 *   queues). `subscribe` while the broker is unreachable records the reference and resolves;
 *   the topic is subscribed when the connection returns.
 * - After `close`, `publish` and `subscribe` reject and nothing more is delivered.
 */
export interface Bus {
  subscribe(topic: string): Promise<void>;
  unsubscribe(topic: string): Promise<void>;
  publish(topic: string, msg: BusMessage): Promise<void>;
  onMessage(handler: BusHandler): void;
  /** False while the bus cannot deliver (e.g. Redis is unreachable). */
  readonly healthy: boolean;
  /**
   * Called when `healthy` changes. Frames published while the bus was down were lost, so on
   * `true` the gateway should make its clients sync (see docs/operations.md).
   */
  onHealthChange?(handler: (healthy: boolean) => void): void;
  close(): Promise<void>;
}
