/**
 * Every setting Parley reads, in one table: the environment variable, its CLI flag, its
 * default and what it accepts. `config.ts` parses from it and the README table is checked
 * against it by a test, so the docs cannot drift from the code.
 */
export interface Setting<T> {
  env: string;
  flag?: string;
  doc: string;
  /** How the README shows the default. */
  unit?: 'ms' | 'bytes';
  /** A secret value: an error about it never shows what was given. */
  secret?: boolean;
  parse(raw: string): T;
  /** Default, or a function of already parsed settings (e.g. the DB path from the data dir). */
  def: T | ((c: Record<string, unknown>) => T);
}

export class ConfigError extends Error {}

/** `scheme://user:password@host` → `scheme://user:***@host`, anywhere in a text. */
export function maskUrlPasswords(text: string): string {
  return text.replace(/([a-z][\w+.-]*:\/\/[^\s/:@"']*):[^\s/@"']*@/gi, '$1:***@');
}

/**
 * A text fit for stderr or a log: URL passwords masked, and every given secret value (say the
 * `PARLEY_SECRET` value, a database password) replaced by `***` wherever it appears.
 */
export function maskSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const v of secrets) if (v && v.length >= 4) out = out.split(v).join('***');
  return maskUrlPasswords(out);
}

/** The password inside a URL setting (decoded and as written), to mask wherever else it shows. */
export function urlPasswords(url: string | undefined): string[] {
  const m = url ? /^[a-z][\w+.-]*:\/\/[^/:@]*:([^/@]*)@/i.exec(url) : null;
  if (!m?.[1]) return [];
  let decoded = m[1];
  try {
    decoded = decodeURIComponent(m[1]);
  } catch {
    /* keep it as written */
  }
  return [...new Set([m[1], decoded])];
}

const bad = (what: string) => new ConfigError(what);

export const int = (min: number, max: number) => (raw: string) => {
  if (!/^-?\d+$/.test(raw.trim())) throw bad(`expected an integer from ${min} to ${max}`);
  const n = Number(raw);
  if (n < min || n > max) throw bad(`expected an integer from ${min} to ${max}`);
  return n;
};

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** Durations: `250ms`, `25s`, `15m`, `2h`, `30d`, or a bare number of milliseconds. */
export const duration =
  (min = 0) =>
  (raw: string) => {
    const m = /^(\d+)(ms|s|m|h|d)?$/.exec(raw.trim());
    if (!m) throw bad('expected a duration such as 500ms, 25s, 15m, 2h or 30d');
    const ms = Number(m[1]) * UNITS[m[2] ?? 'ms']!;
    if (ms < min) throw bad(`expected a duration of at least ${min}ms`);
    return ms;
  };

/**
 * A token-bucket limit written `<count>/<period>` (`20/1h`, `60/3s`): `count` may be taken at
 * once, and the bucket refills `count` over `period`. `toString` gives it back as written, so
 * the README shows the default the way an operator types it.
 */
export class Rate {
  constructor(
    readonly count: number,
    readonly periodMs: number,
    private readonly text: string,
  ) {}
  /** Tokens per second, as `RateLimiter.take` wants them. */
  get perSecond() {
    return (this.count * 1000) / this.periodMs;
  }
  toString() {
    return this.text;
  }
}

/** `20/1h`, `30/1m`, `60/3s`: at most `count` at once, refilled over the period. */
export const rate = (raw: string) => {
  const m = /^(\d+)\s*\/\s*(\d+)(ms|s|m|h|d)$/.exec(raw.trim());
  const count = Number(m?.[1]);
  const periodMs = m ? Number(m[2]) * UNITS[m[3]!]! : 0;
  if (!m || count < 1 || count > 1_000_000 || periodMs < 1000)
    throw bad('expected <count>/<period> such as 20/1h or 30/1m (count 1 to 1000000, period at least 1s)');
  return new Rate(count, periodMs, `${count}/${m[2]}${m[3]}`);
};

const SIZE: Record<string, number> = {
  b: 1,
  kib: 1024,
  kb: 1024,
  k: 1024,
  mib: 1 << 20,
  mb: 1 << 20,
  m: 1 << 20,
  gib: 1 << 30,
  gb: 1 << 30,
  g: 1 << 30,
};
/** Byte sizes: `64KiB`, `20MiB`, `1GiB`, or a bare number of bytes. */
export const bytes =
  (min = 1) =>
  (raw: string) => {
    const m = /^(\d+)\s*([a-z]+)?$/i.exec(raw.trim());
    const unit = SIZE[(m?.[2] ?? 'b').toLowerCase()];
    if (!m || unit === undefined) throw bad('expected a size such as 65536, 64KiB, 20MiB or 1GiB');
    const n = Number(m[1]) * unit;
    if (n < min) throw bad(`expected a size of at least ${min} bytes`);
    return n;
  };

export const oneOf =
  <T extends string>(...values: T[]) =>
  (raw: string) => {
    if (!values.includes(raw as T)) throw bad(`expected one of ${values.join(', ')}`);
    return raw as T;
  };

export const bool = (raw: string) => {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw bad('expected true or false');
};

export const str = (raw: string) => raw;

export const dbUrl = (raw: string) => {
  if (/^sqlite:.+/.test(raw) || /^postgres(ql)?:\/\/.+/.test(raw) || /^mysql:\/\/.+/.test(raw)) return raw;
  throw bad('expected sqlite:<path>, postgres://… or mysql://…');
};

export const redisUrl = (raw: string) => {
  if (/^rediss?:\/\/.+/.test(raw)) return raw;
  throw bad('expected redis://host:port');
};

export const origins = (raw: string) => {
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const o of list) {
    if (o !== '*' && !/^https?:\/\/[^/\s]+$/.test(o))
      throw bad('expected a comma-separated list of origins like https://chat.example.com');
  }
  return list;
};
