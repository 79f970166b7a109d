import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PasswordHasher } from '../../src/services/passwords.js';

/**
 * A salted SHA-256 hasher for tests that create many users: argon2id is slow on purpose.
 * The argon2 parameters themselves are checked by their own test against the real hasher.
 */
export class FastHasher implements PasswordHasher {
  async hash(password: string) {
    const salt = randomBytes(8).toString('hex');
    return `test$${salt}$${createHash('sha256')
      .update(salt + password)
      .digest('hex')}`;
  }

  async verify(stored: string, password: string) {
    const [, salt, digest] = stored.split('$');
    if (!salt || !digest) return false;
    const again = createHash('sha256')
      .update(salt + password)
      .digest();
    return timingSafeEqual(again, Buffer.from(digest, 'hex'));
  }
}
