// The SQLite writing connection on a worker thread (see sqlite-driver.ts for why it exists).
// Plain JavaScript on purpose: a worker is started by Node itself, outside any TypeScript
// loader a test runner or `tsx` installs on the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';

const { file, pragmas, cacheSize } = workerData;

/** @type {SQLite.Database} */
let db;
try {
  db = new SQLite(file);
  for (const p of pragmas) db.pragma(p);
} catch (e) {
  parentPort.postMessage({ id: 0, error: toPlain(e) });
  process.exit(1);
}

// Kysely prepares every query; better-sqlite3 compiles SQL on every prepare. Compiled
// statements are kept by SQL text (bounded LRU). This thread runs one statement at a time.
const cache = new Map();
function prepare(sql) {
  let stmt = cache.get(sql);
  if (stmt) cache.delete(sql);
  else {
    stmt = db.prepare(sql);
    if (cache.size >= cacheSize) cache.delete(cache.keys().next().value);
  }
  cache.set(sql, stmt);
  return stmt;
}

function toPlain(e) {
  return { message: String(e?.message ?? e), code: e?.code, name: e?.name };
}

parentPort.postMessage({ id: 0, ready: true });

parentPort.on('message', (msg) => {
  if (msg.close) {
    try {
      db.close();
    } finally {
      parentPort.postMessage({ id: msg.id, closed: true });
      parentPort.close();
    }
    return;
  }
  try {
    const stmt = prepare(msg.sql);
    if (stmt.reader) {
      parentPort.postMessage({ id: msg.id, rows: stmt.all(msg.params) });
    } else {
      const r = stmt.run(msg.params);
      parentPort.postMessage({ id: msg.id, rows: [], changes: r.changes, lastInsertRowid: r.lastInsertRowid });
    }
  } catch (e) {
    parentPort.postMessage({ id: msg.id, error: toPlain(e) });
  }
});
