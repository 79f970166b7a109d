import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FairGate } from '../../src/blobs/fair-gate.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { until } from '../support/ws-clients.js';
import { solidPng } from './fixtures.js';
import { uploadOne } from './helpers.js';

/** A large animated GIF: cheap to send (a few KiB), slow to decode and re-encode. */
async function largeGif(): Promise<Buffer> {
  const frames = await Promise.all(
    [0, 1, 2].map((i) =>
      sharp({ create: { width: 2000, height: 2000, channels: 3, background: { r: 60 * i, g: 90, b: 200 - 60 * i } } })
        .png()
        .toBuffer(),
    ),
  );
  return sharp(frames, { join: { animated: true } })
    .gif({ loop: 0, delay: 100 })
    .toBuffer();
}

/**
 * Fair image processing over real HTTP: one user's large animated uploads cannot starve
 * another's small image, and a user's concurrent uploads are bounded. Nothing here depends on
 * how fast the machine is: the test waits until the server reports both large decodes in its
 * image gate (`/metrics`), then asserts the order in which uploads complete.
 */
describe.each(testDialects())('fair image processing on %s', (dialect) => {
  let s: TestServer;
  let gif: Buffer;
  beforeAll(async () => {
    s = await startServer({ dialect, config: { uploadsPerUser: 2 } });
    gif = await largeGif();
  });
  afterAll(async () => {
    await s?.close();
  });

  const gateLoad = async () => {
    const text = await (await fetch(`${s.url}/metrics`)).text();
    const of = (state: string) =>
      Number(new RegExp(`^parley_image_jobs\\{state="${state}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
    return { running: of('running'), waiting: of('waiting') };
  };

  it("a small PNG of one user completes while another user's large GIFs are still processing", async () => {
    const a = await registerUser(s.api, 'fa');
    const b = await registerUser(s.api, 'fb');
    const done: string[] = [];
    const big = [0, 1].map((i) =>
      uploadOne(s, a.token, gif, `big${i}.gif`).then((r) => {
        done.push(`a${i}`);
        return r;
      }),
    );
    await until(
      async () => {
        const l = await gateLoad();
        return l.running + l.waiting === 2;
      },
      60_000,
      "both of a's GIFs in the image gate",
    );
    // A third upload of a's is over the per-user bound while the two are in progress.
    const fd = new FormData();
    fd.append('file', new Blob([new Uint8Array(await solidPng(8, 8))]), 'third.png');
    const over = await fetch(`${s.url}/api/v1/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.token}` },
      body: fd,
    });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await over.json()) as { error: { code: string } }).error.code).toBe('TOO_MANY_UPLOADS');

    const small = await uploadOne(s, b.token, await solidPng(32, 32), 'small.png');
    expect(small.status, JSON.stringify(small.body)).toBe(201);
    done.push('b');
    expect(done).toEqual(['b']);

    for (const r of await Promise.all(big)) expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(await gateLoad()).toEqual({ running: 0, waiting: 0 });
    // The slots came back.
    expect((await uploadOne(s, a.token, await solidPng(9, 9), 'again.png')).status).toBe(201);
  });
});

describe('FairGate', () => {
  it('serves owners round-robin and keeps a slot for another owner', async () => {
    const gate = new FairGate(2);
    const order: string[] = [];
    const releases: (() => void)[] = [];
    const job = (owner: string, name: string) =>
      gate.run(owner, () => {
        order.push(name);
        return new Promise<void>((r) => releases.push(r));
      });
    const jobs = [job('a', 'a1'), job('a', 'a2'), job('a', 'a3'), job('b', 'b1'), job('c', 'c1')];
    await until(() => order.length === 2, 1000);
    // a holds one slot (never both); b took the other at once.
    expect(order).toEqual(['a1', 'b1']);
    expect(gate.load).toEqual({ running: 2, waiting: 3 });
    releases.shift()!(); // a1 ends: a waited first, so a2 (a still holds only one slot)
    await until(() => order.length === 3, 1000);
    releases.shift()!(); // b1 ends: c1, not a3 (a is at its share)
    await until(() => order.length === 4, 1000);
    releases.splice(0).forEach((r) => r());
    await until(() => order.length === 5, 1000);
    releases.splice(0).forEach((r) => r());
    await Promise.all(jobs);
    expect(order).toEqual(['a1', 'b1', 'a2', 'c1', 'a3']);
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });
});
