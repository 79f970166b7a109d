import type { Readable } from 'node:stream';

/** What {@link BlobStore.put} stored: the SHA-256 (lowercase hex) and length of the bytes. */
export interface PutResult {
  sha256: string;
  size: number;
  /** False when a blob with these bytes already existed (deduplicated: nothing new was written). */
  created: boolean;
}

/** An inclusive byte range, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface BlobInfo {
  sha256: string;
  size: number;
  /** When the blob was last written, epoch ms (used by the sweep's grace period). */
  modifiedAt: number;
}

/** Thrown by `put` when the stream is longer than `maxBytes`; nothing is kept. */
export class BlobTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`blob larger than ${limit} bytes`);
    this.name = 'BlobTooLargeError';
  }
}

/** True for a SHA-256 in the form every BlobStore uses (64 lowercase hex digits). */
export const isSha256 = (s: string) => /^[0-9a-f]{64}$/.test(s);

/**
 * Content-addressed storage of immutable byte strings, named by the SHA-256 of their bytes.
 * The filesystem implementation is the default; an S3-compatible one can implement the same
 * contract and pass the same conformance suite (test/conformance/blob-store-suite.ts).
 *
 * Contract:
 * - `put` consumes the stream, hashing while it stores. It is atomic: either the whole blob
 *   becomes visible under its hash, or (on any error: stream error, `maxBytes` exceeded, disk
 *   full) nothing is visible and no temporary data is left behind. Putting bytes that already
 *   exist stores nothing new (`created: false`); concurrent puts of the same bytes are safe.
 * - A blob, once visible, never changes; `get` of a visible blob returns exactly its bytes.
 * - Every method taking a hash rejects anything that is not 64 lowercase hex digits (so a
 *   caller can never address a path of its choosing).
 * - `delete` is idempotent. Deciding *whether* a blob may be deleted (nothing references it)
 *   is the caller's job.
 */
export interface BlobStore {
  put(stream: Readable, opts?: { maxBytes?: number }): Promise<PutResult>;
  /**
   * A stream of the blob's bytes (the inclusive `range` only, when given), or undefined when
   * the blob does not exist. A range must lie within the blob (`0 <= start <= end < size`).
   */
  get(sha256: string, range?: ByteRange): Promise<Readable | undefined>;
  has(sha256: string): Promise<boolean>;
  stat(sha256: string): Promise<BlobInfo | undefined>;
  /** Removes the blob; resolves true when it existed. */
  delete(sha256: string): Promise<boolean>;
  /** Every stored blob, in no particular order (the sweep uses it to find orphans). */
  list(): AsyncIterable<BlobInfo>;
  /** Removes leftovers of interrupted writes older than `before` (epoch ms), if the store has any. */
  purgeStale(before: number): Promise<number>;
}
