import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobTooLargeError } from './blob-store.js';

/** An upload written to a temp file while it arrives; `discard` removes it (idempotent). */
export interface StagedFile {
  path: string;
  size: number;
  discard(): Promise<void>;
}

/**
 * Where uploads land before they are checked: temp files with server-made names in a folder
 * nothing serves. The media service stages into it and always discards, success or failure.
 */
export interface Scratch {
  /** Streams into a new temp file; over `maxBytes` (or on any stream error) nothing is kept. */
  stage(stream: Readable, maxBytes: number): Promise<StagedFile>;
}

export class FsScratch implements Scratch {
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  async stage(stream: Readable, maxBytes: number): Promise<StagedFile> {
    const file = path.join(this.dir, `${Date.now()}-${randomBytes(12).toString('hex')}.upload`);
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        cb(size > maxBytes ? new BlobTooLargeError(maxBytes) : null, chunk);
      },
    });
    const discard = () => fsp.rm(file, { force: true }).catch(() => {});
    try {
      await pipeline(stream, meter, fs.createWriteStream(file, { flags: 'wx', mode: 0o600 }));
    } catch (e) {
      await discard();
      throw e;
    }
    // A truncated multipart file stream ends without an error when its limit is configured so.
    if ((stream as { truncated?: boolean }).truncated) {
      await discard();
      throw new BlobTooLargeError(maxBytes);
    }
    return { path: file, size, discard };
  }
}
