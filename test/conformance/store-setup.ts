import { afterAll, beforeAll } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import { AppError, type ErrorCode } from '../../src/domain/errors.js';
import { newId } from '../../src/domain/ids.js';
import type { DialectName } from '../../src/store/db.js';
import type { WriteItem } from '../../src/store/entry-log.js';
import { type Store, openStore } from '../../src/store/store.js';
import { freshDatabase } from '../../fixtures/databases.js';

/**
 * One fresh database per dialect for a `Store` conformance file, opened as two stores: two
 * stores on one database stand for two nodes (each with its own pool and in-memory caches),
 * which is how concurrent writers meet in production. SQLite cannot be shared between nodes
 * (docs/operations.md), so there both are the same store and concurrent calls meet in its
 * driver's write lock.
 */
export function storesFor(dialect: DialectName): { a(): Store; b(): Store } {
  let a: Store | undefined;
  let b: Store | undefined;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const db = await freshDatabase(dialect);
    drop = db.drop;
    a = await openStore(db.url);
    b = dialect === 'sqlite' ? a : await openStore(db.url);
  });
  afterAll(async () => {
    await a?.close();
    if (b !== a) await b?.close();
    await drop?.();
  });
  return { a: () => a!, b: () => b! };
}

/** A new direct conversation between two new users. */
export function newDm(): { cid: string; users: [string, string] } {
  const x = newId(),
    y = newId();
  const users: [string, string] = x < y ? [x, y] : [y, x];
  return { cid: dmId(x, y), users };
}

let seqNo = 0;
/** A text message from `senderId` into the DM, with a clientId unique to this run unless given. */
export function dmText(
  dm: { cid: string; users: readonly string[] },
  senderId: string,
  text: string,
  clientId = `c${++seqNo}-${newId()}`,
): WriteItem {
  return {
    conversationId: dm.cid,
    conversationKind: 'dm',
    members: dm.users,
    senderId,
    clientId,
    kind: 'text',
    body: { text },
  };
}

/** The coded error a promise rejects with (fails the test if it resolves or throws something uncoded). */
export async function codeOf(p: Promise<unknown>): Promise<ErrorCode> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
  throw new Error('expected a coded error, but the call succeeded');
}

export const NOW = Date.UTC(2026, 0, 1);
