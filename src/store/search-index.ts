import { isMessageKind } from '@parley/client';
import type { Kysely, Transaction } from 'kysely';
import { indexTokens } from '../domain/search-text.js';
import type { Database, SearchPostingsTable } from './schema.js';
import type { ShapeCache } from './shape-cache.js';

type Tx = Transaction<Database> | Kysely<Database>;
const POSTING_COLUMNS = ['token', 'conversation_id', 'seq', 'created_at'] as const;
/** 4 columns × 500 rows: 2,000 parameters per insert, far under every dialect's bound. */
const POSTINGS_CHUNK = 500;

/** The text a stored entry is searched by: a message's `text`, unless recalled. */
export function searchableText(row: { kind: string; body: string; recalled_at?: number | null }): string | undefined {
  if (!isMessageKind(row.kind) || row.recalled_at != null) return undefined;
  if (!row.body.includes('"text"')) return undefined;
  try {
    const t = (JSON.parse(row.body) as { text?: unknown }).text;
    return typeof t === 'string' && t.length > 0 ? t : undefined;
  } catch {
    return undefined;
  }
}

/** The postings of one stored entry (none when it has no searchable text). */
export function postingsOf(row: {
  conversation_id: string;
  seq: number;
  kind: string;
  body: string;
  created_at: number;
  recalled_at?: number | null;
}): SearchPostingsTable[] {
  const text = searchableText(row);
  if (text === undefined) return [];
  const seq = Number(row.seq);
  const at = Number(row.created_at);
  return indexTokens(text).map((token) => ({ token, conversation_id: row.conversation_id, seq, created_at: at }));
}

/**
 * Writes the search postings of entries inside the caller's transaction, so a message is
 * searchable exactly when it is committed, and an edit or recall changes the index atomically
 * with the entry. Used by the entry log's group commit (see BENCHMARKS.md, "Search").
 */
export class SearchIndexWriter {
  constructor(private readonly shapes: ShapeCache) {}

  async add(trx: Tx, postings: readonly SearchPostingsTable[]): Promise<void> {
    for (let i = 0; i < postings.length; i += POSTINGS_CHUNK) {
      const chunk = postings.slice(i, i + POSTINGS_CHUNK);
      await this.shapes.execute(
        trx,
        `postings:${chunk.length}`,
        chunk.flatMap((p) => POSTING_COLUMNS.map((c) => p[c])),
        () => trx.insertInto('search_postings').values(chunk),
      );
    }
  }

  /** Drops the postings of one entry (recalled, or about to be re-indexed after an edit). */
  async remove(trx: Tx, cid: string, seq: number): Promise<void> {
    await trx.deleteFrom('search_postings').where('conversation_id', '=', cid).where('seq', '=', seq).execute();
  }

  /** Drops the postings of a conversation's entries up to `upTo` (retention). */
  async removeUpTo(trx: Tx, cid: string, upTo: number): Promise<void> {
    await trx.deleteFrom('search_postings').where('conversation_id', '=', cid).where('seq', '<=', upTo).execute();
  }
}
