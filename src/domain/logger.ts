/**
 * The minimal structured logger every layer takes (pino satisfies it; `app.ts` makes the one
 * instance). Contract: `obj` holds the fields, `msg` the human text; a call never throws.
 */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** Drops everything: for parts built without a logger (tests, tools). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {}, debug() {} };
