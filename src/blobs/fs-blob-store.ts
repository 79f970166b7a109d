import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type BlobInfo,
  type BlobStore,
  BlobTooLargeError,
  type ByteRange,
  type PutResult,
  isSha256,
} from './blob-store.js';

/**
 * Blobs as files under `root` (by default `<dataDir>/blobs`, which nothing serves directly),
 * named only by their hash and sharded by its first two bytes: `root/ab/cd/abcd…`. Writes go to
 * `root/tmp` (same filesystem, so the final rename is atomic), are fsynced, then renamed.
 */
export class FsBlobStore implements BlobStore {
  readonly tmpDir: string;

  constructor(readonly root: string) {
    this.tmpDir = path.join(root, 'tmp');
    fs.mkdirSync(this.tmpDir, { recursive: true, mode: 0o700 });
  }

  /** Where a blob lives; the hash is checked first so no caller can name another path. */
  private file(sha256: string): string {
    if (!isSha256(sha256)) throw new TypeError('not a sha256');
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  /** A fresh, unique temp path in the same filesystem as the blobs. */
  tempPath(): string {
    return path.join(this.tmpDir, `${Date.now()}-${randomBytes(12).toString('hex')}.part`);
  }

  async put(stream: Readable, opts: { maxBytes?: number } = {}): Promise<PutResult> {
    const tmp = this.tempPath();
    const hash = createHash('sha256');
    let size = 0;
    const max = opts.maxBytes ?? Number.POSITIVE_INFINITY;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (size > max) return cb(new BlobTooLargeError(max));
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    let renamed = false;
    try {
      // `flush` fsyncs the file before it is closed: the bytes are on disk before the rename.
      await pipeline(stream, meter, fs.createWriteStream(tmp, { flags: 'wx', mode: 0o600, flush: true }));
      const sha256 = hash.digest('hex');
      const final = this.file(sha256);
      if (await exists(final)) return { sha256, size, created: false };
      await fsp.mkdir(path.dirname(final), { recursive: true, mode: 0o700 });
      await fsp.rename(tmp, final);
      renamed = true;
      await syncDir(path.dirname(final));
      return { sha256, size, created: true };
    } finally {
      if (!renamed) await fsp.rm(tmp, { force: true }).catch(() => {});
      stream.destroy();
    }
  }

  async get(sha256: string, range?: ByteRange): Promise<Readable | undefined> {
    const file = this.file(sha256);
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(file, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    if (range) {
      const { size } = await fh.stat();
      if (!(range.start >= 0 && range.start <= range.end && range.end < size)) {
        await fh.close();
        throw new RangeError('range outside the blob');
      }
    }
    return fh.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  async has(sha256: string): Promise<boolean> {
    return exists(this.file(sha256));
  }

  async stat(sha256: string): Promise<BlobInfo | undefined> {
    try {
      const st = await fsp.stat(this.file(sha256));
      return { sha256, size: st.size, modifiedAt: st.mtimeMs };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async delete(sha256: string): Promise<boolean> {
    try {
      await fsp.unlink(this.file(sha256));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
  }

  async *list(): AsyncIterable<BlobInfo> {
    for (const a of await dirNames(this.root)) {
      if (!/^[0-9a-f]{2}$/.test(a)) continue;
      for (const b of await dirNames(path.join(this.root, a))) {
        if (!/^[0-9a-f]{2}$/.test(b)) continue;
        for (const name of await dirNames(path.join(this.root, a, b))) {
          if (!isSha256(name) || !name.startsWith(a + b)) continue;
          const info = await this.stat(name);
          if (info) yield info;
        }
      }
    }
  }

  async purgeStale(before: number): Promise<number> {
    let n = 0;
    for (const name of await dirNames(this.tmpDir)) {
      const file = path.join(this.tmpDir, name);
      const st = await fsp.stat(file).catch(() => undefined);
      if (st && st.mtimeMs < before) {
        await fsp.rm(file, { force: true });
        n++;
      }
    }
    return n;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fsp.access(file);
    return true;
  } catch {
    return false;
  }
}

async function dirNames(dir: string): Promise<string[]> {
  try {
    return await fsp.readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** Makes a rename durable: the directory entry itself must reach the disk. */
async function syncDir(dir: string) {
  const d = await fsp.open(dir, 'r').catch(() => undefined);
  if (!d) return;
  try {
    await d.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the data itself is already synced.
  } finally {
    await d.close();
  }
}
