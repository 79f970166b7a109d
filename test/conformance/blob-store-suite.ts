import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BlobStore, BlobTooLargeError } from '../../src/blobs/blob-store.js';

export interface BlobStoreHarness {
  store: BlobStore;
  /** Names of leftovers of interrupted writes the store keeps (temp files); [] when none. */
  leftovers(): Promise<string[]>;
  close(): Promise<void>;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const streamOf = (...chunks: Buffer[]) => Readable.from(chunks);

async function readAll(s: Readable | undefined): Promise<Buffer> {
  if (!s) throw new Error('no stream');
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function listAll(store: BlobStore): Promise<string[]> {
  const out: string[] = [];
  for await (const b of store.list()) out.push(b.sha256);
  return out.sort();
}

/** A stream that yields some bytes, then fails (a client that disconnects mid-upload). */
function failingStream(): Readable {
  return new Readable({
    read() {
      this.push(randomBytes(1000));
      this.destroy(new Error('client went away'));
    },
  });
}

/**
 * The BlobStore contract, runnable against any implementation: the filesystem store here,
 * an S3-compatible one later (pass a factory that makes an empty store).
 */
export function blobStoreConformance(name: string, make: () => Promise<BlobStoreHarness>) {
  describe(`BlobStore conformance: ${name}`, () => {
    let h: BlobStoreHarness;
    beforeEach(async () => {
      h = await make();
    });
    afterEach(async () => {
      await h.close();
    });

    it('stores bytes under their SHA-256 and gives them back whole or by range', async () => {
      const data = randomBytes(200_000);
      const put = await h.store.put(streamOf(data.subarray(0, 70_000), data.subarray(70_000)));
      expect(put).toEqual({ sha256: sha(data), size: data.length, created: true });
      expect(await h.store.has(put.sha256)).toBe(true);
      expect((await h.store.stat(put.sha256))?.size).toBe(data.length);
      expect((await readAll(await h.store.get(put.sha256))).equals(data)).toBe(true);
      const part = await readAll(await h.store.get(put.sha256, { start: 1000, end: 1999 }));
      expect(part.equals(data.subarray(1000, 2000))).toBe(true);
      const last = await readAll(await h.store.get(put.sha256, { start: data.length - 1, end: data.length - 1 }));
      expect(last.equals(data.subarray(data.length - 1))).toBe(true);
      await expect(h.store.get(put.sha256, { start: 10, end: data.length })).rejects.toThrow();
    });

    it('deduplicates: the same bytes twice are one blob, also when written concurrently', async () => {
      const data = randomBytes(50_000);
      const a = await h.store.put(streamOf(data));
      const b = await h.store.put(streamOf(data));
      expect(a.created).toBe(true);
      expect(b).toEqual({ sha256: a.sha256, size: data.length, created: false });
      const other = randomBytes(30_000);
      const many = await Promise.all([1, 2, 3, 4].map(() => h.store.put(streamOf(other))));
      expect(new Set(many.map((m) => m.sha256))).toEqual(new Set([sha(other)]));
      expect((await readAll(await h.store.get(sha(other)))).equals(other)).toBe(true);
      expect(await listAll(h.store)).toEqual([a.sha256, sha(other)].sort());
      expect(await h.leftovers()).toEqual([]);
    });

    it('stores an empty blob', async () => {
      const put = await h.store.put(streamOf());
      expect(put.size).toBe(0);
      expect(put.sha256).toBe(sha(Buffer.alloc(0)));
      expect((await readAll(await h.store.get(put.sha256))).length).toBe(0);
    });

    it('keeps nothing when the stream fails or is too long', async () => {
      await expect(h.store.put(failingStream())).rejects.toThrow(/went away/);
      const big = randomBytes(10_000);
      await expect(h.store.put(streamOf(big), { maxBytes: 9_999 })).rejects.toBeInstanceOf(BlobTooLargeError);
      expect(await h.store.has(sha(big))).toBe(false);
      expect(await listAll(h.store)).toEqual([]);
      expect(await h.leftovers()).toEqual([]);
      // Exactly at the limit is fine.
      expect((await h.store.put(streamOf(big), { maxBytes: 10_000 })).size).toBe(10_000);
    });

    it('answers undefined/false for missing blobs and deletes idempotently', async () => {
      const missing = sha(Buffer.from('never stored'));
      expect(await h.store.get(missing)).toBeUndefined();
      expect(await h.store.has(missing)).toBe(false);
      expect(await h.store.stat(missing)).toBeUndefined();
      expect(await h.store.delete(missing)).toBe(false);
      const put = await h.store.put(streamOf(Buffer.from('short lived')));
      expect(await h.store.delete(put.sha256)).toBe(true);
      expect(await h.store.delete(put.sha256)).toBe(false);
      expect(await h.store.has(put.sha256)).toBe(false);
      expect(await listAll(h.store)).toEqual([]);
    });

    it('refuses anything that is not a lowercase hex SHA-256 (no caller-chosen paths)', async () => {
      for (const bad of ['../../etc/passwd', 'a'.repeat(63), 'A'.repeat(64), `${'a'.repeat(62)}/.`, '']) {
        await expect(h.store.get(bad)).rejects.toThrow();
        await expect(h.store.has(bad)).rejects.toThrow();
        await expect(h.store.delete(bad)).rejects.toThrow();
        await expect(h.store.stat(bad)).rejects.toThrow();
      }
    });

    it('purges stale leftovers only when they are old enough', async () => {
      expect(await h.store.purgeStale(Date.now() + 60_000)).toBeGreaterThanOrEqual(0);
      expect(await h.leftovers()).toEqual([]);
    });
  });
}
