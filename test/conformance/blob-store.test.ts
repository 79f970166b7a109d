import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsBlobStore } from '../../src/blobs/fs-blob-store.js';
import { blobStoreConformance } from './blob-store-suite.js';

function fsHarness() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-blobs-'));
  const store = new FsBlobStore(dir);
  return {
    store,
    dir,
    leftovers: async () => fs.readdirSync(store.tmpDir),
    close: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

blobStoreConformance('filesystem', async () => fsHarness());

describe('FsBlobStore specifics', () => {
  it('names files by hash only, sharded by prefix, private to the server', async () => {
    const h = fsHarness();
    try {
      const put = await h.store.put((await import('node:stream')).Readable.from([Buffer.from('hello')]));
      const file = path.join(h.dir, put.sha256.slice(0, 2), put.sha256.slice(2, 4), put.sha256);
      expect(fs.readFileSync(file, 'utf8')).toBe('hello');
      expect(fs.statSync(file).mode & 0o077).toBe(0);
    } finally {
      await h.close();
    }
  });

  it('purgeStale removes old temp files and keeps young ones', async () => {
    const h = fsHarness();
    try {
      const old = path.join(h.store.tmpDir, 'old.part');
      const young = path.join(h.store.tmpDir, 'young.part');
      fs.writeFileSync(old, 'x');
      fs.writeFileSync(young, 'y');
      const past = new Date(Date.now() - 3_600_000);
      fs.utimesSync(old, past, past);
      expect(await h.store.purgeStale(Date.now() - 60_000)).toBe(1);
      expect(fs.readdirSync(h.store.tmpDir)).toEqual(['young.part']);
    } finally {
      await h.close();
    }
  });
});
