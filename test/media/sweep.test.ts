import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsBlobStore } from '../../src/blobs/fs-blob-store.js';
import { ManualClock } from '../../src/domain/clock.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { noisePng, solidPng } from './fixtures.js';
import { blobFiles, dbOf, uploadOne } from './helpers.js';

const HOUR = 3_600_000;

describe.each(testDialects())('blob sweep on %s', (dialect) => {
  let s: TestServer;
  let clock: ManualClock;
  let alice: Awaited<ReturnType<typeof registerUser>>;
  beforeAll(async () => {
    clock = new ManualClock(Date.now());
    // The timer is off here: the test drives the sweep directly, on its own clock.
    s = await startServer({ dialect, clock, config: { blobSweepInterval: 0, blobSweepGrace: HOUR } });
    alice = await registerUser(s.api, 'alice');
  });
  afterAll(async () => {
    await s?.close();
  });

  const sweep = () => s.app.services.media.sweeper.sweep();
  const blobRows = async () =>
    (await dbOf(s).selectFrom('blobs').select('sha256').execute()).map((r) => r.sha256).sort();
  const dropMedia = (id: string) => dbOf(s).deleteFrom('media').where('id', '=', id).execute();

  it('collects blobs no media references, after the grace period, and keeps referenced ones', async () => {
    const kept = (await uploadOne(s, alice.token, await noisePng(64, 64), 'kept.png')).body;
    const shared = await solidPng(50, 50, { r: 7, g: 7, b: 7 });
    const twiceA = (await uploadOne(s, alice.token, shared, 'a.png')).body;
    const twiceB = (await uploadOne(s, alice.token, shared, 'b.png')).body;
    const gone = (await uploadOne(s, alice.token, await noisePng(64, 64), 'gone.png')).body;
    const goneThumb = (
      await dbOf(s).selectFrom('media').select('thumb_sha256').where('id', '=', gone.id).executeTakeFirstOrThrow()
    ).thumb_sha256!;
    expect(blobFiles(s).blobs).toEqual(expect.arrayContaining([kept.sha256, twiceA.sha256, gone.sha256, goneThumb]));

    await dropMedia(gone.id);
    await dropMedia(twiceA.id);
    // Within the grace period nothing goes: an upload may be between writing and recording.
    expect((await sweep()).blobs).toBe(0);
    expect(blobFiles(s).blobs).toContain(gone.sha256);

    clock.advance(2 * HOUR);
    const r = await sweep();
    expect(r.blobs).toBe(2); // the file and its thumbnail
    const files = blobFiles(s).blobs;
    expect(files).not.toContain(gone.sha256);
    expect(files).not.toContain(goneThumb);
    expect(files).toEqual(expect.arrayContaining([kept.sha256, twiceB.sha256]));
    expect(await blobRows()).not.toContain(gone.sha256);
    expect(await blobRows()).toContain(twiceB.sha256);
    // What is still referenced is still served.
    const meta = await s.api.get(`/api/v1/media/${twiceB.id}`, alice.token);
    expect((await fetch(s.url + meta.body.url)).status).toBe(200);

    // The last reference goes: the shared blob follows, once the grace period has passed again.
    await dropMedia(twiceB.id);
    clock.advance(2 * HOUR);
    await sweep();
    expect(blobFiles(s).blobs).not.toContain(twiceB.sha256);
  });

  it('a re-upload of bytes about to be swept refreshes them, so they survive', async () => {
    const pic = await solidPng(40, 40, { r: 1, g: 99, b: 1 });
    const first = (await uploadOne(s, alice.token, pic, 'x.png')).body;
    await dropMedia(first.id);
    clock.advance(2 * HOUR);
    const again = (await uploadOne(s, alice.token, pic, 'x.png')).body;
    expect(again.sha256).toBe(first.sha256);
    await sweep();
    expect(blobFiles(s).blobs).toContain(first.sha256);
  });

  it('removes old orphan bytes (no row) and stale temp files, but not young ones', async () => {
    const store = new FsBlobStore(path.join(s.dataDir, 'blobs'));
    const oldOrphan = await store.put(Readable.from([Buffer.from('orphan from a crash')]));
    const youngOrphan = await store.put(Readable.from([Buffer.from('upload in progress')]));
    const oldTemp = path.join(store.tmpDir, 'stale.part');
    const youngTemp = path.join(store.tmpDir, 'young.part');
    fs.writeFileSync(oldTemp, 'x');
    fs.writeFileSync(youngTemp, 'y');
    const past = new Date(clock.now() - 2 * HOUR);
    const recent = new Date(clock.now());
    const file = (sha: string) => path.join(store.root, sha.slice(0, 2), sha.slice(2, 4), sha);
    fs.utimesSync(file(oldOrphan.sha256), past, past);
    fs.utimesSync(file(youngOrphan.sha256), recent, recent);
    fs.utimesSync(oldTemp, past, past);
    fs.utimesSync(youngTemp, recent, recent);

    const r = await sweep();
    expect(r.orphans).toBe(1);
    expect(r.temps).toBe(1);
    expect(blobFiles(s).blobs).not.toContain(oldOrphan.sha256);
    expect(blobFiles(s).blobs).toContain(youngOrphan.sha256);
    expect(blobFiles(s).temps).toEqual(['young.part']);
    fs.rmSync(youngTemp);
  });

  it('runs on its interval through the clock', async () => {
    const timed = await startServer({ dialect, clock, config: { blobSweepInterval: HOUR, blobSweepGrace: 60_000 } });
    try {
      const u = await registerUser(timed.api, 'tim');
      const up = (await uploadOne(timed, u.token, await noisePng(32, 32), 't.png')).body;
      await dbOf(timed).deleteFrom('media').where('id', '=', up.id).execute();
      const before = blobFiles(timed).blobs;
      expect(before).toContain(up.sha256);
      const { sweeper } = timed.app.services.media;
      expect(sweeper.lastTimedRun).toBeUndefined();
      clock.advance(HOUR); // one tick, past the grace period
      expect(sweeper.lastTimedRun).toBeDefined();
      const r = await sweeper.lastTimedRun!;
      expect(r.blobs).toBe(2);
      expect(blobFiles(timed).blobs).not.toContain(up.sha256);
    } finally {
      await timed.close();
    }
  });
});
