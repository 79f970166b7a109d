import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebStream } from 'node:stream/web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { dmId } from '../../src/domain/conversation-id.js';
import { pdf } from '../media/fixtures.js';
import { uploadOne } from '../media/helpers.js';
import { V, befriend, groupWith, users } from '../social/helpers.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, startServer } from '../support/server.js';

/** Every entry of a ZIP file: name → bytes. */
async function unzip(file: string): Promise<Map<string, Buffer>> {
  const zip = await yauzl.openPromise(file);
  const out = new Map<string, Buffer>();
  for await (const entry of zip.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const c of await zip.openReadStreamPromise(entry)) chunks.push(c as Buffer);
    out.set(entry.fileName, Buffer.concat(chunks));
  }
  zip.close();
  return out;
}

/** Downloads the export to a file (never into memory); returns its path and size. */
async function download(s: TestServer, token: string, dir: string) {
  const res = await fetch(`${s.url}${V}/me/export`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) return { status: res.status, body: await res.json(), res };
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.zip`);
  await pipeline(Readable.fromWeb(res.body as WebStream), fs.createWriteStream(file));
  return { status: 200, file, size: fs.statSync(file).size, res };
}

describe.each(testDialects())('data export on %s', (dialect) => {
  let s: TestServer;
  let dir: string;
  beforeAll(async () => {
    s = await startServer({ dialect });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-export-'));
  });
  afterAll(async () => {
    await s?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('holds my profile, contacts, groups, only my messages and my uploads; throttled; mine alone', async () => {
    const { api } = s;
    const [amy, bob] = await users(api, 'amy', 'bob');
    await befriend(api, amy, bob);
    const g = await groupWith(api, amy, [bob], { name: 'Export club' });
    const dm = dmId(amy.user.id, bob.user.id);
    for (let i = 0; i < 3; i++)
      await api.post(
        `${V}/conversations/${dm}/messages`,
        { clientId: `a${i}`, kind: 'text', text: `amy ${i}` },
        amy.token,
      );
    await api.post(`${V}/conversations/${dm}/messages`, { clientId: 'b0', kind: 'text', text: 'bob says' }, bob.token);
    await api.post(
      `${V}/conversations/${g.conversation}/messages`,
      { clientId: 'g0', kind: 'text', text: 'hi all' },
      amy.token,
    );
    const bytes = Buffer.concat([pdf(), randomBytes(3000)]);
    const up = await uploadOne(s, amy.token, bytes, 'notes.pdf');
    expect(up.status).toBe(201);

    expect((await fetch(`${s.url}${V}/me/export`)).status).toBe(401);

    const got = await download(s, amy.token, dir);
    expect(got.status).toBe(200);
    expect(got.res.headers.get('content-type')).toBe('application/zip');
    expect(got.res.headers.get('content-disposition')).toMatch(/^attachment; filename="parley-export-amy/);
    const files = await unzip(got.file!);
    const profile = JSON.parse(files.get('profile.json')!.toString());
    expect(profile).toMatchObject({ id: amy.user.id, username: amy.username, nickname: 'amy' });
    const contacts = JSON.parse(files.get('contacts.json')!.toString());
    expect(contacts).toEqual([expect.objectContaining({ id: bob.user.id, username: bob.username })]);
    const groups = JSON.parse(files.get('groups.json')!.toString());
    expect(groups).toEqual([expect.objectContaining({ id: g.id, name: 'Export club', role: 'owner' })]);

    const lines = (name: string) =>
      files
        .get(name)!
        .toString()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
    const dmLines = lines(`messages/${dm.replace(/:/g, '_')}.ndjson`);
    expect(dmLines.map((m) => m.body.text)).toEqual(['amy 0', 'amy 1', 'amy 2']);
    expect(dmLines.every((m) => m.conversation === dm)).toBe(true);
    const groupTexts = lines(`messages/${g.conversation.replace(/:/g, '_')}.ndjson`).filter((m) => m.kind === 'text');
    expect(groupTexts.map((m) => m.body.text)).toEqual(['hi all']);
    const mine = [...files].filter(([n]) => n.startsWith(`media/${up.body.id}-`));
    expect(mine.map(([, b]) => b)).toEqual([bytes]);
    // Nothing of bob's.
    for (const [name, data] of files) expect(data.includes('bob says'), name).toBe(false);

    // Bob's own export has only bob's message.
    const bobs = await unzip((await download(s, bob.token, dir)).file!);
    expect(bobs.get(`messages/${dm.replace(/:/g, '_')}.ndjson`)!.toString()).toContain('bob says');
    expect([...bobs.keys()].some((n) => n.startsWith('media/'))).toBe(false);

    // Throttled: a second export right away is refused with Retry-After.
    const again = await download(s, amy.token, dir);
    expect(again.status).toBe(429);
    expect(again.body.error.code).toBe('RATE_LIMITED');
    expect(Number(again.res.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('a large export streams: the blobs are read only as fast as the client takes the archive', {
    timeout: 120_000,
  }, async () => {
    const [big] = await users(s.api, 'big');
    const parts: { id: string; sha: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const data = Buffer.concat([pdf(), randomBytes(12 << 20)]);
      const up = await uploadOne(s, big.token, data, `part${i}.pdf`);
      expect(up.status).toBe(201);
      parts.push({ id: up.body.id, sha: createHash('sha256').update(data).digest('hex') });
    }
    // Bytes this process read (files and sockets alike), from the kernel: server and client share
    // the process, and unlike heap figures this does not depend on when the GC runs.
    const bytesRead = () => Number(/^rchar: (\d+)$/m.exec(fs.readFileSync('/proc/self/io', 'utf8'))![1]);
    const before = bytesRead();
    const res = await fetch(`${s.url}${V}/me/export`, { headers: { authorization: `Bearer ${big.token}` } });
    expect(res.status).toBe(200);
    const reader = (res.body as WebStream<Uint8Array>).getReader();
    const head = await reader.read();
    // The client stops reading. A streaming server reads the blobs only as the socket drains, so it
    // stalls once the buffers between them are full; a buffering one has read every blob already.
    await new Promise((r) => setTimeout(r, 1500));
    const stalled = bytesRead();
    await new Promise((r) => setTimeout(r, 500));
    expect(bytesRead() - stalled).toBeLessThan(256 << 10);
    const file = path.join(dir, 'big.zip');
    const out = fs.createWriteStream(file);
    out.write(head.value);
    for (let c = await reader.read(); !c.done; c = await reader.read())
      if (!out.write(c.value)) await once(out, 'drain');
    await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
    const got = { file, size: fs.statSync(file).size };
    expect(got.size).toBeGreaterThan(36 << 20);
    expect(stalled - before).toBeLessThan(got.size * 0.5);

    const zip = await yauzl.openPromise(got.file!);
    const seen = new Map<string, string>();
    for await (const entry of zip.eachEntry()) {
      if (!entry.fileName.startsWith('media/')) continue;
      const h = createHash('sha256');
      for await (const c of await zip.openReadStreamPromise(entry)) h.update(c as Buffer);
      seen.set(entry.fileName, h.digest('hex'));
    }
    zip.close();
    for (const p of parts) expect([...seen].find(([n]) => n.startsWith(`media/${p.id}-`))?.[1]).toBe(p.sha);
  });
});
