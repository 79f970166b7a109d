import type { Bus } from '../bus/bus.js';
import type { Config } from '../config.js';
import type { Clock } from '../domain/clock.js';
import type { Store } from '../store/store.js';

/** The minimal logger services use (pino satisfies it). */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** What every service is built from; `app.ts` is the only place that fills it in. */
export interface ServiceDeps {
  store: Store;
  bus: Bus;
  clock: Clock;
  config: Config;
  log: Logger;
}
