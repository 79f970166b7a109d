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

let lastMs = 0;
let lastTime = '';

/**
 * An entry id: 26 base32 characters like {@link newId}, but the first 10 are the time in
 * milliseconds, so ids made later sort after earlier ones and 80 random bits follow. Entry ids
 * carry a unique index; random ids put each new one on a random leaf page of it (one more page
 * for every commit to write per message), time-ordered ones all go to its right edge
 * (BENCHMARKS.md, "Pages per commit"). An entry's time is public anyway (its `ts`).
 */
export function newEntryId(now = Date.now()): string {
  if (now !== lastMs) {
    lastMs = now;
    let t = '';
    for (let v = now, i = 0; i < 10; i++, v = Math.floor(v / 32)) t = ALPHABET[v % 32] + t;
    lastTime = t;
  }
  return lastTime + newId().slice(10);
}

/** A 256-bit secret token, URL-safe base64, for sessions. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}
