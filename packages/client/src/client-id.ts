/**
 * A new `clientId` for a send: the time in milliseconds (9 base-36 digits, so ids sort by
 * time as strings) then 64 random bits in hex; 25 characters.
 *
 * Why the time first: the server keeps every (clientId, sender) in a unique index to make
 * resends idempotent, and ids that grow with time are added at that index's right edge
 * instead of on a random page each, a third of a group commit's cost (BENCHMARKS.md, "Storage
 * layout"). Any unique string is still accepted; this is only the cheap kind.
 */
export function newClientId(now = Date.now()): string {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  let random = '';
  for (const b of bytes) random += b.toString(16).padStart(2, '0');
  return now.toString(36).padStart(9, '0') + random;
}
