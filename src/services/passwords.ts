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
