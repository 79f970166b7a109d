/**
 * Reports users whose cluster-wide state changed without a local connect or disconnect saying
 * so: `online = false` for the users of a node that died (found by a sweep), and after a node
 * re-registered its connections following a Redis outage, `true`/`false` for what changed.
 */
export type ChangeHandler = (userIds: string[], online: boolean) => void;

/** Result of registering one connection. */
export interface AddResult {
  /** `full`: the user already has `limit` live connections; nothing was registered. */
  status: 'added' | 'exists' | 'full';
  /** The user had no live connection anywhere before this one. */
  first: boolean;
}

/**
 * The cluster-wide registry of live connections, (user, connection) per node, under which
 * {@link Presence} and {@link ConnectionCounter} are built.
 *
 * Contract (presence and connection-counter conformance suites):
 * - A connection counts while its node is alive: a node refreshes a heartbeat every ttl/3 and
 *   counts as dead once ttl passed without one (it crashed or lost the broker).
 * - `add` and `remove` are atomic cluster-wide: of two nodes adding the first connections of a
 *   user at once exactly one sees `first`, and the limit check and the insert are one step.
 * - Every node sweeps every ttl/3: the entries of dead nodes are removed and the users left
 *   with no live connection are reported once, cluster-wide, through `onChange(users, false)`.
 * - A node that was cut off long enough to be swept re-registers its connections when it is
 *   back and reports the users that came back online through `onChange(users, true)`.
 * - `add`/`remove` update this node's own list first, so whatever the broker did, the node's
 *   list is the truth it re-registers from; when the broker is unreachable they reject.
 */
export interface ConnRegistry {
  readonly nodeId: string;
  add(userId: string, connId: string, limit?: number): Promise<AddResult>;
  /** `last`: the user has no live connection anywhere now. */
  remove(userId: string, connId: string): Promise<{ removed: boolean; last: boolean }>;
  online(userIds: readonly string[]): Promise<Set<string>>;
  /** Live connections of the user, cluster-wide. */
  count(userId: string): Promise<number>;
  /** Live connections of the user on this node (known without asking the broker). */
  localCount(userId: string): number;
  /** Runs one sweep now (it also runs by itself); returns the users it found offline. */
  sweep(): Promise<string[]>;
  onChange(handler: ChangeHandler): void;
  /** Graceful stop: stops the heartbeat and marks this node dead so others sweep it at once. */
  close(): Promise<void>;
}

export const memberOf = (userId: string, connId: string) => {
  if (userId.includes('\n') || connId.includes('\n')) throw new Error('ids must not contain a newline');
  return `${userId}\n${connId}`;
};
