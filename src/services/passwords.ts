import { hash, verify } from '@node-rs/argon2';

// Algorithm.Argon2id; the enum is const and ambient, so its value is written here.
const ARGON2ID = 2;

/** Hashes and checks passwords. Implementations must be slow on purpose and salted. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

/** argon2id with m = 19 MiB, t = 2, p = 1 (the OWASP minimum), unless told otherwise. */
export class Argon2Hasher implements PasswordHasher {
  constructor(private readonly opts = { memoryCost: 19_456, timeCost: 2, parallelism: 1 }) {}

  hash(password: string) {
    return hash(password, { ...this.opts, algorithm: ARGON2ID });
  }

  async verify(stored: string, password: string) {
    try {
      return await verify(stored, password);
    } catch {
      return false;
    }
  }
}

/**
 * Bounds how many new-password hashes run at once on this node. argon2 runs on libuv's thread
 * pool (four threads by default), which login checks share: a burst of registrations used to
 * fill it, and a login waited behind a hundred hashes. Hashes beyond `max` wait here, in
 * arrival order; `verify` never queues behind them, so logins keep their thread.
 */
export class GatedHasher implements PasswordHasher {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly inner: PasswordHasher,
    private readonly max: number,
  ) {}

  async hash(password: string) {
    if (this.running >= this.max) await new Promise<void>((go) => this.waiting.push(go));
    else this.running++;
    try {
      return await this.inner.hash(password);
    } finally {
      // The slot passes straight to the next waiter, so `running` never dips below a queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  verify(stored: string, password: string) {
    return this.inner.verify(stored, password);
  }
}
