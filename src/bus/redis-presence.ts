import { RegistryConnectionCounter } from './connection-counter.js';
import { RegistryPresence } from './presence.js';
import { RedisConnRegistry, type RedisRegistryOptions } from './redis-conn-registry.js';

type Options = Omit<RedisRegistryOptions, 'namespace'>;

/**
 * {@link Presence} shared by every node through Redis (keys under `<prefix>presence:`).
 * How it works (see docs/operations.md, "Presence and node failure"):
 * - each node keeps a heartbeat key alive (PX = ttl, refreshed every ttl/3) and registers its
 *   connections under its node id; a user's connections on a node whose heartbeat key is gone
 *   do not count, so a dead node's users are offline within the ttl without anyone acting;
 * - every node sweeps every ttl/3: a Lua script removes the dead nodes' entries and returns the
 *   users left with no live connection; being one atomic script, exactly one node gets each
 *   user, and it reports them through `onChange(users, false)` so the gateway announces
 *   `presence offline` once;
 * - connect/disconnect are Lua scripts too, so the first/last transition is decided atomically.
 */
export class RedisPresence extends RegistryPresence {
  constructor(opts: Options) {
    super(new RedisConnRegistry({ ...opts, namespace: 'presence' }));
  }
}

/** {@link ConnectionCounter} shared through Redis (keys under `<prefix>conns:`), same mechanism. */
export class RedisConnectionCounter extends RegistryConnectionCounter {
  constructor(opts: Options) {
    super(new RedisConnRegistry({ ...opts, namespace: 'conns' }));
  }
}
