import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MemoryBroker, MemoryBus } from '../../src/bus/memory-bus.js';
import { dmId } from '../../src/domain/conversation-id.js';
import { ParleyClient, type WebSocketCtor, type AckFrame } from '@parley/client';
import { openDb } from '../../src/store/db.js';
import { freshDatabase } from '../../fixtures/databases.js';
import { testDialects } from '../support/databases.js';
import { DeliveryChecker } from '../support/delivery-checker.js';
import { ApiClient, registerUser, startServer } from '../support/server.js';
import { befriend, createGroup } from '../support/social-fixtures.js';
import { connectClient, wsUrl } from '../support/ws-clients.js';

const fast = { messageRate: 100_000, messageBurst: 100_000 };

describe.each(testDialects())('durability on %s', (dialect) => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  it('duplicate clientId (same and different body) across a server restart: one row, the original ack', async () => {
    const db = await freshDatabase(dialect);
    cleanup.push(() => db.drop());
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-dup-'));
    let s = await startServer({ db, dataDir, config: fast });
    const a = await registerUser(s.api, 'a');
    const b = await registerUser(s.api, 'b');
    await befriend(s.app, a.user.id, b.user.id);
    const dm = dmId(a.user.id, b.user.id);
    const c1 = await connectClient(s.url, a.token, 'msgpack');
    const first = await c1.send({ to: dm, kind: 'text', text: 'once', clientId: 'dup-1' });
    const same = await c1.send({ to: dm, kind: 'text', text: 'once', clientId: 'dup-1' });
    expect(same).toEqual(first);
    c1.close();
    await s.close();

    s = await startServer({ db, dataDir, config: fast });
    cleanup.push(() => s.close());
    const c2 = await connectClient(s.url, a.token, 'json');
    const afterRestart = await c2.send({ to: dm, kind: 'text', text: 'a different body', clientId: 'dup-1' });
    expect(afterRestart).toEqual(first);
    const rest = await s.api.post(
      `/api/v1/conversations/${dm}/messages`,
      { clientId: 'dup-1', kind: 'text', text: 'third try' },
      a.token,
    );
    expect(rest.body).toEqual({
      clientId: first.clientId,
      conversation: first.conversation,
      seq: first.seq,
      id: first.id,
      ts: first.ts,
    });
    const rows = await s.app.store.conn.db
      .selectFrom('entries')
      .selectAll()
      .where('sender_id', '=', a.user.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]!.body).text).toBe('once');
    c2.close();
  });

  it('concurrent senders on two nodes into one group: seq strictly +1, no duplicates, same order on every device', async () => {
    const broker = new MemoryBroker();
    const n1 = await startServer({ dialect, bus: new MemoryBus(broker), config: fast });
    const n2 = await startServer({ db: n1.db, bus: new MemoryBus(broker), config: fast });
    cleanup.push(
      () => n1.close(),
      () => n2.close(),
    );
    const users = [];
    for (let i = 0; i < 4; i++) users.push(await registerUser(n1.api, `u${i}`));
    const { cid } = await createGroup(
      n1.app,
      users[0]!.user.id,
      users.slice(1).map((u) => u.user.id),
    );
    const checker = new DeliveryChecker();
    const clients = await Promise.all(
      users.map((u, i) =>
        connectClient(i % 2 ? n2.url : n1.url, u.token, i % 2 ? 'msgpack' : 'json', {}, (c) =>
          checker.attach(`d${i}`, u.user.id, c),
        ),
      ),
    );
    const sends: Promise<AckFrame>[] = [];
    for (let k = 0; k < 25; k++) for (const c of clients) sends.push(c.send({ to: cid, kind: 'text', text: `k${k}` }));
    const acks = await Promise.all(sends);
    // Group commit: the 100 messages took fewer transactions than messages (counted by the writer's metric).
    const batches = (await n1.app.metrics.commitBatch.get()).values.concat(
      (await n2.app.metrics.commitBatch.get()).values,
    );
    const count = batches.filter((v) => v.metricName?.endsWith('_count')).reduce((t, v) => t + v.value, 0);
    const sum = batches.filter((v) => v.metricName?.endsWith('_sum')).reduce((t, v) => t + v.value, 0);
    expect(sum).toBeGreaterThanOrEqual(100);
    expect(count).toBeLessThan(sum);
    const seqs = acks.map((a) => a.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const members = { [cid]: users.map((u) => u.user.id) };
    await checker.settle(members);
    checker.verify(members);
    // Each sender's own messages keep the order it sent them in.
    const rows = await n1.app.store.conn.db
      .selectFrom('entries')
      .select(['seq', 'sender_id', 'body'])
      .where('conversation_id', '=', cid)
      .orderBy('seq')
      .execute();
    for (const u of users) {
      const mine = rows.filter((r) => r.sender_id === u.user.id).map((r) => JSON.parse(r.body).text);
      expect(mine).toEqual(Array.from({ length: 25 }, (_, k) => `k${k}`));
    }
    clients.forEach((c) => c.close());
  });

  it('SIGKILL right after acks: after a restart every acked message is stored', async () => {
    const db = await freshDatabase(dialect);
    cleanup.push(() => db.drop());
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-kill-'));
    cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    let child = await spawnServer(db.url, dataDir);
    cleanup.push(() => {
      child.proc.kill('SIGKILL');
    });
    const api = new ApiClient(child.url);
    const a = await registerUser(api, 'a');
    const b = await registerUser(api, 'b');
    const conn = openDb(db.url);
    const now = Date.now();
    await conn.db
      .insertInto('contacts')
      .values([
        { user_id: a.user.id, peer_id: b.user.id, remark: '', created_at: now },
        { user_id: b.user.id, peer_id: a.user.id, remark: '', created_at: now },
      ])
      .execute();
    await conn.close();
    const dm = dmId(a.user.id, b.user.id);
    const client = new ParleyClient({
      urls: [wsUrl(child.url)],
      token: a.token,
      WebSocket: WebSocket as unknown as WebSocketCtor,
      backoffMaxMs: 200,
    });
    await client.connect();
    const acked: AckFrame[] = [];
    const sends = Array.from({ length: 60 }, (_, i) =>
      client.send({ to: dm, kind: 'text', text: `k${i}` }).then(
        (x) => {
          acked.push(x);
        },
        () => {},
      ),
    );
    while (acked.length < 40) await new Promise((r) => setTimeout(r, 2));
    child.proc.kill('SIGKILL');
    const snapshot = [...acked];
    await child.exited;
    client.close();
    await Promise.allSettled(sends);

    child = await spawnServer(db.url, dataDir);
    const h = await new ApiClient(child.url).get(`/api/v1/conversations/${dm}/messages?after=0&limit=200`, a.token);
    expect(h.status).toBe(200);
    const stored = new Map(h.body.items.map((e: any) => [e.clientId, e.seq]));
    for (const ack of snapshot) expect(stored.get(ack.clientId)).toBe(ack.seq);
    child.proc.kill('SIGTERM');
    await child.exited;
  }, 60_000);
});

/** Starts `tsx src/main.ts` as a child process and waits for its URL. */
async function spawnServer(
  dbUrl: string,
  dataDir: string,
): Promise<{ proc: ChildProcess; url: string; exited: Promise<void> }> {
  const proc = spawn(process.execPath, ['--conditions=@parley/source', '--import', 'tsx', 'src/main.ts', 'serve'], {
    env: {
      ...process.env,
      PARLEY_DB: dbUrl,
      PARLEY_DATA_DIR: dataDir,
      PARLEY_PORT: '0',
      PARLEY_HOST: '127.0.0.1',
      PARLEY_LOG_LEVEL: 'info',
      PARLEY_SQLITE_SYNCHRONOUS: 'FULL',
      PARLEY_MESSAGE_RATE: '100000',
      PARLEY_MESSAGE_BURST: '100000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    });
    proc.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  return { proc, url, exited };
}
