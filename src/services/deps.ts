import type { Bus } from '../bus/bus.js';
import type { Presence } from '../bus/presence.js';
import type { RateLimiter } from '../bus/rate-limiter.js';
import type { Config } from '../config.js';
import type { Clock } from '../domain/clock.js';
import type { Logger } from '../domain/logger.js';
import type { Store } from '../store/store.js';
import type { Notifier } from './notifier.js';

/** What every service is built from; `app.ts` is the only place that fills it in. */
export interface ServiceDeps {
  store: Store;
  bus: Bus;
  clock: Clock;
  config: Config;
  log: Logger;
  /** Live fan-out after commit (frames encoded once, published on the bus). */
  notify: Notifier;
  presence: Presence;
  limiter: RateLimiter;
}
