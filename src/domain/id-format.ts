// Apart from ids.ts, which needs node:crypto, so the browser can check ids too.

/** True when `s` looks like an id made by `newId` (26 characters of its base32 alphabet). */
export function isId(s: string): boolean {
  return /^[0-9a-hjkmnp-tv-z]{26}$/.test(s);
}
