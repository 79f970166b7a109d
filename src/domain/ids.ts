import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A random, non-sequential identifier: 130 random bits as 26 lowercase base32 characters.
 * Used for users, groups, sessions, requests and media, so nobody can walk an id space.
 */
export function newId(): string {
  // 256 is a multiple of 32, so `byte % 32` is uniform.
  const bytes = randomBytes(26);
  let out = '';
  for (let i = 0; i < 26; i++) out += ALPHABET[bytes[i]! % 32];
  return out;
}

/** True when `s` looks like an id made by {@link newId}. */
export function isId(s: string): boolean {
  return /^[0-9a-hjkmnp-tv-z]{26}$/.test(s);
}

/** A 256-bit secret token, URL-safe base64, for sessions. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}
