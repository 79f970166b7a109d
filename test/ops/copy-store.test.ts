import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyStore } from '../../src/cli/copy-store.js';
import { MIGRATION_TABLES, STORE_TABLES } from '../../src/cli/store-tables.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { type DialectName, openDb } from '../../src/store/db.js';
import { dmId } from '../../src/domain/conversation-id.js';
import { type TestDatabase, freshDatabase } from '../../fixtures/databases.js';
import { testDialects } from '../support/databases.js';
import { type ApiClient, registerUser, startServer } from '../support/server.js';
import { solidPng } from '../media/fixtures.js';
import { uploadOne } from '../media/helpers.js';

// Copy targets: the server dialects asked for (PARLEY_TEST_DB), or a second SQLite file.
const targets: DialectName[] = testDialects().filter((d) => d !== 'sqlite');
if (targets.length === 0) targets.push('sqlite');

/** A reply without its signed URLs (they carry their own expiry, so they differ per read). */
function stable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stable);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => !/url/i.test(k))
        .map(([k, x]) => [k, stable(x)]),
    );
  return v;
}

interface Seeded {
  source: TestDatabase;
  dataDir: string;
  alice: { token: string; username: string; password: string; id: string };
  views: Record<string, unknown>;
}

/** What a client sees of the store: the same reads before and after the copy. */
async function views(api: ApiClient, token: string, cids: string[]) {
  const out: Record<string, unknown> = {
    me: (await api.get('/api/v1/me', token)).body,
    contacts: (await api.get('/api/v1/contacts', token)).body,
    groups: (await api.get('/api/v1/groups', token)).body,
    conversations: (await api.get('/api/v1/conversations', token)).body,
  };
  for (const cid of cids)
    out[cid] = (await api.get(`/api/v1/conversations/${encodeURIComponent(cid)}/messages?limit=200`, token)).body;
  return stable(out) as Record<string, unknown>;
}

describe('copy-store', () => {
  let seeded: Seeded;
  let cids: string[];
  beforeAll(async () => {
    const s = await startServer({ dialect: 'sqlite' });
    const a = await registerUser(s.api, 'alice');
    const b = await registerUser(s.api, 'bob');
    const c = await registerUser(s.api, 'carol');
    for (const peer of [b, c]) {
      const req = await s.api.post('/api/v1/contacts/requests', { userId: peer.user.id }, a.token);
      expect((await s.api.post(`/api/v1/contacts/requests/${req.body.id}/accept`, {}, peer.token)).status).toBe(200);
    }
    const group = await s.api.post('/api/v1/groups', { name: 'Copy crew', userIds: [b.user.id, c.user.id] }, a.token);
    expect(group.status).toBe(201);
    const dm = dmId(a.user.id, b.user.id);
    const gcid = `g:${group.body.id}`;
    const png = await uploadOne(s, a.token, await solidPng(40, 30), 'pic.png');
    expect(png.status).toBe(201);
    for (let i = 0; i < 30; i++) {
      const cid = i % 2 ? gcid : dm;
      const r = await s.api.post(
        `/api/v1/conversations/${encodeURIComponent(cid)}/messages`,
        { clientId: `copy-${i}`, kind: 'text', text: `message ${i} ✓` },
        i % 3 ? a.token : b.token,
      );
      expect(r.status).toBe(201);
    }
    const img = await s.api.post(
      `/api/v1/conversations/${encodeURIComponent(dm)}/messages`,
      { clientId: 'copy-img', kind: 'image', media: png.body.id },
      a.token,
    );
    expect(img.status).toBe(201);
    cids = [dm, gcid];
    seeded = {
      source: s.db,
      dataDir: s.dataDir,
      alice: { token: a.token, username: a.username, password: a.password, id: a.user.id },
      views: await views(s.api, a.token, cids),
    };
    // Keep the database and the data dir (blobs, secret) for the copies.
    await s.app.close();
  }, 120_000);
  afterAll(async () => {
    await seeded?.source.drop();
    if (seeded) fs.rmSync(seeded.dataDir, { recursive: true, force: true });
  });

  it('knows every table the migrations make', async () => {
    const conn = openDb(seeded.source.url, { sqliteWriter: 'inline' });
    try {
      const tables = (await conn.db.introspection.getTables())
        .map((t) => t.name)
        .filter((n) => !MIGRATION_TABLES.includes(n));
      expect(tables.sort()).toEqual(STORE_TABLES.map((t) => t.name).sort());
    } finally {
      await conn.close();
    }
  });

  for (const dialect of targets) {
    it(`copies a populated SQLite store to ${dialect}, and the server reads the same history from the copy`, async () => {
      const target = await freshDatabase(dialect);
      try {
        const lines: string[] = [];
        // A small batch, so the keyset paging crosses batch boundaries on every big table.
        const counts = await copyStore({
          from: seeded.source.url,
          to: target.url,
          batch: 7,
          out: (l) => lines.push(l),
        });
        expect(counts.entries).toBeGreaterThan(31);
        expect(counts.users).toBe(3);
        expect(counts.media).toBe(1);
        expect(lines).toContain('users: 3 row(s)');

        const s = await startServer({ db: target, dataDir: seeded.dataDir });
        try {
          expect(await views(s.api, seeded.alice.token, cids)).toEqual(seeded.views);
          // The password hashes came along: logging in works on the copy.
          const login = await s.api.post('/api/v1/auth/login', {
            login: seeded.alice.username,
            password: seeded.alice.password,
          });
          expect(login.status).toBe(200);
          // Seqs continue where the source stopped: no clash with a copied one.
          const next = await s.api.post(
            `/api/v1/conversations/${encodeURIComponent(cids[0]!)}/messages`,
            { clientId: 'after-copy', kind: 'text', text: 'after' },
            seeded.alice.token,
          );
          expect(next.status).toBe(201);
          const history = (seeded.views[cids[0]!] as { items: { seq: number }[] }).items;
          expect(next.body.seq).toBe(Math.max(...history.map((e) => e.seq)) + 1);
        } finally {
          await s.app.close();
        }

        // Not a second time onto a filled target, unless told.
        await expect(copyStore({ from: seeded.source.url, to: target.url, out: () => {} })).rejects.toThrow(UsageError);
        const again = await copyStore({ from: seeded.source.url, to: target.url, force: true, out: () => {} });
        expect(again).toEqual(counts);
      } finally {
        await target.drop();
      }
    }, 180_000);
  }
});
