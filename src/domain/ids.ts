import { randomBytes, randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

// Ids are made for every stored entry: one kernel call per 157 ids instead of one per id
// (randomBytes was 4% of the one-to-one benchmark's CPU). Tokens do not come from this pool.
const pool = Buffer.allocUnsafe(26 * 157);
let poolAt = pool.length;

/**
 * A random, non-sequential identifier: 130 random bits as 26 lowercase base32 characters.
 * Used for users, groups, sessions, requests and media, so nobody can walk an id space.
 */
export function newId(): string {
  if (poolAt + 26 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  // 256 is a multiple of 32, so `byte % 32` is uniform.
  let out = '';
  for (let i = poolAt; i < poolAt + 26; i++) out += ALPHABET[pool[i]! % 32];
  poolAt += 26;
  return out;
}

/** A 256-bit secret token, URL-safe base64, for sessions. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}
