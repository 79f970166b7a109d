/**
 * How many database pages one group commit of one-to-one messages dirties in SQLite, and what
 * the commit costs, measured rather than guessed (issue: "how many B-tree pages does one group
 * commit dirty per message?"). A fresh SQLite file is migrated and pre-filled with `--prefill`
 * messages over `--pairs` direct conversations (so the indexes are as large as a real store's),
 * then `--batches` commits of `--batch` messages go through the real entry log with WAL
 * auto-checkpoints off; the WAL's growth per commit is the pages that commit wrote (each frame
 * is one page). Printed per message, with the commit time, beside the same rows appended to a
 * table with no secondary index (what storage can do), so the layout's share is visible.
 *
 *   node --conditions=@parley/source --import tsx bench/tools/commit-pages.ts \
 *     [--prefill 500000] [--pairs 500] [--batch 256] [--batches 40] [--sync FULL|NORMAL] [--page-size 4096]
 *     [--client-ids random|ordered] [--dedup-index client-first|sender-first]
 *     [--drop entries_created] [--checkpoints on]   (A/B: what one index costs the commit; the
 *                                                dedup lookup then scans, so use with a small --prefill)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { dmId } from '../../src/domain/conversation-id.js';
import { newId } from '../../src/domain/ids.js';
import type { WriteItem } from '../../src/store/entry-log.js';
import { openStore } from '../../src/store/store.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const num = (k: string, d: number) => Number(args.get(k) ?? d);
const PREFILL = num('prefill', 500_000);
const PAIRS = num('pairs', 500);
const BATCH = num('batch', 256);
const BATCHES = num('batches', 40);
const TEXT = 'x'.repeat(num('text', 40));
const SYNC = (args.get('sync') ?? 'FULL') as 'FULL' | 'NORMAL';
const PAGE = num('page-size', 4096);
const DROP = (args.get('drop') ?? '').split(',').filter(Boolean);
/** `on`: leave SQLite's automatic checkpoints on (commit times then include them; pages are not counted). */
const CHECKPOINTS = args.get('checkpoints') === 'on';
/** `ordered`: client ids that start with the time, as the protocol client makes them. */
const ORDERED = args.get('client-ids') === 'ordered';
/** `sender-first`: the dedup index as before migration 0011, (sender_id, client_id). */
const DEDUP = args.get('dedup-index') ?? 'client-first';
let clientSeq = 0;
const clientId = () =>
  ORDERED
    ? `${Date.now().toString(36).padStart(9, '0')}${(clientSeq++).toString(36).padStart(6, '0')}${newId().slice(0, 10)}`
    : newId();

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-commit-pages-'));
const file = path.join(dir, 'p.db');
const users = Array.from({ length: PAIRS * 2 }, () => newId()).sort();
const pairs = Array.from({ length: PAIRS }, (_, i) => {
  const [x, y] = [users[i]!, users[PAIRS + i]!].sort() as [string, string];
  return { cid: dmId(x, y), members: [x, y], x };
});
const item = (n: number): WriteItem => {
  const p = pairs[n % PAIRS]!;
  return {
    conversationId: p.cid,
    conversationKind: 'dm',
    members: p.members,
    senderId: p.x,
    clientId: clientId(),
    kind: 'text',
    body: { text: TEXT },
  };
};

const walPages = (f: string, pageSize: number) => {
  try {
    return Math.max(0, fs.statSync(`${f}-wal`).size - 32) / (pageSize + 24);
  } catch {
    return 0;
  }
};

async function parley() {
  // Migrations and the pre-fill through the driver (fast); the measured commits through the entry log.
  // The page size is fixed when the file is created (before WAL mode is switched on).
  const created = new SQLite(file);
  created.pragma(`page_size = ${PAGE}`);
  created.pragma('journal_mode = WAL');
  created.close();
  (await openStore(`sqlite:${file}`, { sqliteWriter: 'inline' })).close();
  const raw = new SQLite(file);
  raw.pragma('journal_mode = WAL');
  const ins = raw.prepare(
    'insert into entries (conversation_id, seq, id, sender_id, client_id, kind, body, target_seq, created_at, edited_at, recalled_at) values (?, ?, ?, ?, ?, ?, ?, null, ?, null, null)',
  );
  const conv = raw.prepare(
    "insert into conversations (id, kind, max_seq, min_seq, created_at, last_at) values (?, 'dm', ?, 1, 0, 0) on conflict (id) do update set max_seq = excluded.max_seq",
  );
  const member = raw.prepare(
    'insert or ignore into conversation_members (conversation_id, user_id, read_seq, muted, pinned, joined_seq, left_seq, updated_at) values (?, ?, 0, 0, 0, 0, null, 0)',
  );
  const body = JSON.stringify({ text: TEXT });
  raw.transaction(() => {
    const seqs = new Array<number>(PAIRS).fill(0);
    for (let n = 0; n < PREFILL; n++) {
      const p = pairs[n % PAIRS]!;
      const seq = ++seqs[n % PAIRS]!;
      ins.run(p.cid, seq, newId(), p.x, clientId(), 'text', body, n);
    }
    for (const [i, p] of pairs.entries()) {
      conv.run(p.cid, seqs[i]);
      for (const m of p.members) member.run(p.cid, m);
    }
  })();
  for (const index of DROP) raw.exec(`drop index ${index}`);
  if (DEDUP === 'sender-first')
    raw.exec('drop index entries_dedup; create unique index entries_client on entries (sender_id, client_id)');
  raw.pragma('wal_checkpoint(TRUNCATE)');
  raw.close();

  const store = await openStore(`sqlite:${file}`, { sqliteWriter: 'inline', sqliteSynchronous: SYNC });
  const db = (store as unknown as { conn: { db: import('kysely').Kysely<unknown> } }).conn.db;
  const { sql } = await import('kysely');
  await store.entryLog.commit(
    Array.from({ length: BATCH }, (_, i) => item(i)),
    Date.now(),
  ); // warm-up: statement shapes, the "ensured" set
  // On the writing connection (transactions run there; reads use a query-only one).
  if (!CHECKPOINTS)
    await (db as import('kysely').Kysely<any>)
      .transaction()
      .execute((trx) => sql`pragma wal_autocheckpoint = 0`.execute(trx));
  const pages: number[] = [];
  const ms: number[] = [];
  let n = BATCH;
  for (let b = 0; b < BATCHES; b++) {
    const before = walPages(file, PAGE);
    const items = Array.from({ length: BATCH }, () => item(n++));
    const t = performance.now();
    await store.entryLog.commit(items, Date.now());
    ms.push(performance.now() - t);
    pages.push(walPages(file, PAGE) - before);
  }
  await store.close();
  return { pages, ms };
}

function appendOnly() {
  const f = path.join(dir, 'append.db');
  const raw = new SQLite(f);
  raw.pragma(`page_size = ${PAGE}`);
  raw.pragma('journal_mode = WAL');
  raw.pragma(`synchronous = ${SYNC}`);
  raw.exec(
    'create table log (conversation_id text, seq integer, id text, sender_id text, client_id text, kind text, body text, created_at integer)',
  );
  const ins = raw.prepare('insert into log values (?, ?, ?, ?, ?, ?, ?, ?)');
  const body = JSON.stringify({ text: TEXT });
  const batch = raw.transaction((rows: number) => {
    for (let i = 0; i < rows; i++)
      ins.run(pairs[i % PAIRS]!.cid, i, newId(), pairs[i % PAIRS]!.x, newId(), 'text', body, i);
  });
  batch(PREFILL);
  raw.pragma('wal_autocheckpoint = 0');
  raw.pragma('wal_checkpoint(TRUNCATE)');
  const pages: number[] = [];
  const ms: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const before = walPages(f, PAGE);
    const t = performance.now();
    batch(BATCH);
    ms.push(performance.now() - t);
    pages.push(walPages(f, PAGE) - before);
  }
  raw.close();
  return { pages, ms };
}

const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
const median = (xs: number[]) => quantile(xs, 0.5);
try {
  const p = await parley();
  const a = appendOnly();
  console.log(
    `prefill ${PREFILL} messages over ${PAIRS} DMs; ${BATCHES} commits of ${BATCH}; ${PAGE}-byte pages;${DROP.length ? ` dropped ${DROP.join(', ')};` : ''} synchronous ${SYNC}`,
  );
  console.log(
    '| writes | pages per commit (median) | pages per message | WAL bytes per message | commit ms (median) | p99 | max |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const [label, r] of [
    ['Parley entry log', p],
    ['append-only table, same rows', a],
  ] as const) {
    const pg = median(r.pages);
    console.log(
      `| ${label} | ${pg} | ${(pg / BATCH).toFixed(2)} | ${Math.round((pg * (PAGE + 24)) / BATCH)} | ${median(r.ms).toFixed(2)} | ${quantile(r.ms, 0.99).toFixed(2)} | ${Math.max(...r.ms).toFixed(2)} |`,
    );
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
