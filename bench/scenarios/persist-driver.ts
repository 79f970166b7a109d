import SQLite from 'better-sqlite3';
import { createConnection } from 'mysql2/promise';
import pg from 'pg';
import { newId } from '../../src/domain/ids.js';
import type { DialectName } from '../../src/store/db.js';
import { openStore } from '../../src/store/store.js';
import type { TestDatabase } from '../../fixtures/databases.js';

const COLS = [
  'conversation_id',
  'seq',
  'id',
  'sender_id',
  'client_id',
  'kind',
  'body',
  'target_seq',
  'created_at',
  'edited_at',
  'recalled_at',
];

/**
 * The persisted-throughput baselines: the same driver Parley uses inserts the same `entries`
 * rows (same columns, same body size, spread over the same number of conversations) in
 * batches of the same size, one transaction per batch, one transaction at a time (as
 * Parley's writer runs), for `seconds`. No Parley code on the path besides migrations.
 * `into: 'append'` writes the same values to `bench_append`, a table with the same columns and
 * no key or index at all (a rowid/heap/hidden-key table that only grows at its end): the
 * honest limit of the storage, against which the indexes' cost shows.
 */
export async function driverInserts(
  db: TestDatabase,
  o: {
    batch: number;
    seconds: number;
    conversations: number;
    textSize: number;
    sqliteSync: string;
    into: 'entries' | 'append';
  },
) {
  (await openStore(db.url)).close();
  const table = o.into === 'append' ? 'bench_append' : 'entries';
  if (o.into === 'append') await createAppendTable(db);
  const text = 'x'.repeat(o.textSize);
  const seqs = new Array<number>(o.conversations).fill(0);
  const convs = Array.from({ length: o.conversations }, () => `dm:${newId()}:${newId()}`);
  const senders = convs.map(() => newId());
  let n = 0;
  const nextBatch = () => {
    const rows: unknown[][] = [];
    for (let i = 0; i < o.batch; i++, n++) {
      const c = n % o.conversations;
      rows.push([
        convs[c],
        ++seqs[c]!,
        newId(),
        senders[c],
        `c${n}`,
        'text',
        JSON.stringify({ text }),
        null,
        Date.now(),
        null,
        null,
      ]);
    }
    return rows;
  };
  const ins = `insert into ${table} (${COLS.join(', ')}) values `;
  const until = performance.now() + o.seconds * 1000;
  const t0 = performance.now();
  let rowsDone = 0;
  const dialect: DialectName = db.dialect;
  if (dialect === 'sqlite') {
    const sqlite = new SQLite(db.url.slice('sqlite:'.length));
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`synchronous = ${o.sqliteSync}`);
    const stmt = sqlite.prepare(
      ins + Array.from({ length: o.batch }, () => `(${COLS.map(() => '?').join(', ')})`).join(', '),
    );
    const tx = sqlite.transaction((rows: unknown[][]) => stmt.run(rows.flat()));
    while (performance.now() < until) {
      tx(nextBatch());
      rowsDone += o.batch;
    }
    sqlite.close();
  } else if (dialect === 'postgres') {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const text2 =
      ins +
      Array.from(
        { length: o.batch },
        (_, r) => `(${COLS.map((_, c) => `$${r * COLS.length + c + 1}`).join(', ')})`,
      ).join(', ');
    while (performance.now() < until) {
      await client.query('begin');
      await client.query(text2, nextBatch().flat());
      await client.query('commit');
      rowsDone += o.batch;
    }
    await client.end();
  } else {
    const conn = await createConnection({ uri: db.url, charset: 'utf8mb4' });
    while (performance.now() < until) {
      await conn.query('start transaction');
      await conn.query(`${ins}?`, [nextBatch()]);
      await conn.query('commit');
      rowsDone += o.batch;
    }
    await conn.end();
  }
  const secs = (performance.now() - t0) / 1000;
  return { rows: rowsDone, seconds: secs, perSec: Math.round(rowsDone / secs) };
}

/** `entries`' columns with the same types, and nothing else: no primary key, no index. */
async function createAppendTable(db: TestDatabase) {
  const text = db.dialect === 'mysql' ? 'mediumtext' : 'text';
  const ddl = `create table bench_append (conversation_id varchar(80) not null, seq bigint not null,
    id varchar(32) not null, sender_id varchar(32), client_id varchar(64), kind varchar(16) not null,
    body ${text} not null, target_seq bigint, created_at bigint not null, edited_at bigint, recalled_at bigint)`;
  if (db.dialect === 'sqlite') {
    const sqlite = new SQLite(db.url.slice('sqlite:'.length));
    sqlite.exec(ddl);
    sqlite.close();
  } else if (db.dialect === 'postgres') {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(ddl);
    await client.end();
  } else {
    const conn = await createConnection({ uri: db.url, charset: 'utf8mb4' });
    await conn.query(`${ddl} engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`);
    await conn.end();
  }
}
