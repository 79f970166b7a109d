import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { newId } from '../../src/domain/ids.js';
import type { MediaRow } from '../../src/store/media.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { blobFiles, dbOf, uploadOne } from './helpers.js';

const HOUR = 3_600_000;
const SIZE = 30 * 1024;
const QUOTA = 100 * 1024; // room for 3 uploads of SIZE, not 4

describe.each(testDialects())('upload quota under concurrency on %s', (dialect) => {
  let s: TestServer;
  let clock: ManualClock;
  beforeAll(async () => {
    clock = new ManualClock(Date.now());
    s = await startServer({
      dialect,
      clock,
      config: {
        userQuota: QUOTA,
        blobSweepInterval: 0,
        blobSweepGrace: HOUR,
        // Eight at once, all admitted: the quota is what this test races.
        uploadsPerUser: 8,
      },
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  const stored = async (owner: string) => {
    const rows = await dbOf(s)
      .selectFrom('media')
      .select(['id', 'size', 'sha256'])
      .where('owner_id', '=', owner)
      .execute();
    return { rows, total: rows.reduce((n, r) => n + Number(r.size), 0) };
  };

  it('concurrent uploads that together pass the quota: exactly what fits is stored, the rest refused with 413 QUOTA_EXCEEDED, nothing left behind', async () => {
    const bob = await registerUser(s.api, 'bob');
    // Distinct bytes (no dedup), sent at once: every early check sees an empty quota.
    const files = Array.from({ length: 8 }, () => Buffer.from(randomBytes(SIZE / 2).toString('hex')));
    const replies = await Promise.all(files.map((f, i) => uploadOne(s, bob.token, f, `f${i}.txt`)));

    const ok = replies.filter((r) => r.status === 201);
    const refused = replies.filter((r) => r.status !== 201);
    expect(ok).toHaveLength(3);
    for (const r of refused) {
      expect(r.status, JSON.stringify(r.body)).toBe(413);
      expect(r.body.error.code).toBe('QUOTA_EXCEEDED');
    }
    const { rows, total } = await stored(bob.user.id);
    expect(total).toBeLessThanOrEqual(QUOTA);
    expect(rows.map((r) => r.id).sort()).toEqual(ok.map((r) => r.body.id).sort());
    expect(await s.app.store.media.usage(bob.user.id)).toBe(total);

    // Bytes a refused upload wrote before losing the race are unreferenced: the sweep takes
    // them once the grace period has passed, and keeps every stored upload's bytes.
    clock.advance(2 * HOUR);
    await s.app.services.media.sweeper.sweep();
    const kept = rows.map((r) => r.sha256).sort();
    expect(blobFiles(s).blobs).toEqual(kept);
    expect(blobFiles(s).temps).toEqual([]);
    expect((await dbOf(s).selectFrom('blobs').select('sha256').execute()).map((r) => r.sha256).sort()).toEqual(kept);
    for (const r of ok) expect((await s.api.get(`/api/v1/media/${r.body.id}`, bob.token)).status).toBe(200);

    // The quota is used up: even a small upload is now refused, before its body is read.
    const more = await uploadOne(s, bob.token, Buffer.from('x'.repeat(QUOTA - total + 1)), 'more.txt');
    expect(more.status).toBe(413);
    expect(more.body.error.code).toBe('QUOTA_EXCEEDED');
  });

  it('the store checks and inserts atomically: of 20 concurrent inserts only those that fit are recorded', async () => {
    const carol = await registerUser(s.api, 'carol');
    const row = (): MediaRow => ({
      id: newId(),
      owner_id: carol.user.id,
      kind: 'file',
      mime: 'text/plain',
      size: SIZE,
      sha256: randomBytes(32).toString('hex'),
      thumb_sha256: null,
      width: null,
      height: null,
      duration_ms: null,
      name: 'x.txt',
      created_at: clock.now(),
    });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => s.app.store.media.insertWithinQuota(row(), QUOTA)),
    );
    expect(results.filter(Boolean)).toHaveLength(3);
    const { rows, total } = await stored(carol.user.id);
    expect(rows).toHaveLength(3);
    expect(await s.app.store.media.usage(carol.user.id)).toBe(total);
  });
});
