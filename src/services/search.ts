import type { SearchHit, SearchPage } from '@parley/client';
import { fail } from '../domain/errors.js';
import { type ParsedQuery, matchRanges, parseQuery, snippet } from '../domain/search-text.js';
import type { ReadView } from './conversation-access.js';
import type { ServiceDeps } from './deps.js';
import type { SearchIndexer } from './search-indexer.js';
import { type SearchKey, type SearchWindow, keyOf } from '../store/search.js';
import { searchableText } from '../store/search-index.js';
import { throttle } from './throttle.js';

export interface SearchQuery {
  q: string;
  /** One conversation; absent: every conversation of the user. */
  conversation?: string;
  cursor?: string;
  limit?: number;
}

/** Longest query, in characters (code points). */
export const QUERY_MAX = 200;
/** Candidate rounds per page: bounds the work of a query whose candidates mostly fail the text check. */
const ROUNDS = 4;
/** Per-user search budget: a search reads the index and up to a few hundred entries. */
const BUDGET = { count: 30, perSecond: 5 };

const cursorOf = (k: SearchKey) => Buffer.from(JSON.stringify([k.at, k.cid, k.seq])).toString('base64url');

function decodeCursor(raw: string): SearchKey {
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(v) &&
      v.length === 3 &&
      Number.isSafeInteger(v[0]) &&
      typeof v[1] === 'string' &&
      /^[a-z0-9:]{1,80}$/i.test(v[1]) &&
      Number.isSafeInteger(v[2])
    )
      return { at: v[0], cid: v[1], seq: v[2] };
  } catch {
    /* answered below */
  }
  throw fail('VALIDATION_FAILED', 'Malformed search cursor');
}

/** Checks a query and parses it; the codes are the REST and docs contract. */
export function checkQuery(q: string): ParsedQuery {
  if ([...q].length > QUERY_MAX) throw fail('QUERY_TOO_LONG', `A search query has at most ${QUERY_MAX} characters`);
  const parsed = parseQuery(q);
  const usable = parsed?.terms.some((t) => t.cjk || [...t.text].length >= 2);
  if (!parsed || !usable)
    throw fail('QUERY_TOO_SHORT', 'Search for a word of two or more letters (or a CJK character)');
  return parsed;
}

/**
 * Message search over what the user may read: in one conversation (its read view, as history
 * uses) or in all of them (every member row: after joining, before leaving). Recalled messages
 * are never found; edited ones by their latest text. Hits come newest first, with a snippet and
 * the ranges that matched. The index gives candidates; each is checked against its folded text.
 * The index is written behind the commit (see {@link SearchIndexer}); a search first indexes
 * what its conversations hold past their watermarks.
 */
export class SearchService {
  constructor(
    private readonly deps: ServiceDeps,
    /** What the user may read of one conversation (the rules history applies). */
    private readonly canRead: (userId: string, cid: string) => Promise<ReadView>,
    /** Brings the index of these conversations up to date first (absent: indexing is off). */
    private readonly indexer?: Pick<SearchIndexer, 'flush'>,
  ) {}

  async search(userId: string, query: SearchQuery): Promise<SearchPage> {
    const parsed = checkQuery(query.q);
    let after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const limit = Math.min(Math.max(query.limit ?? 20, 1), 50);
    await throttle(this.deps.limiter, `search:${userId}`, BUDGET, 'Too many searches; slow down');
    const windows = await this.windows(userId, query.conversation);
    // Read-your-writes: whatever was committed before this search is found by it.
    await this.indexer?.flush(
      windows.filter((w) => w.ceil > w.floor).map((w) => ({ cid: w.conversationId, upTo: w.ceil })),
    );

    const items: SearchHit[] = [];
    const batch = Math.min(200, limit * 2 + 10);
    for (let round = 0; round < ROUNDS; round++) {
      const rows = await this.deps.store.search.candidates(windows, parsed.conds, after, batch);
      for (const row of rows) {
        after = keyOf(row);
        const text = searchableText(row);
        const ranges = text === undefined ? undefined : matchRanges(text, parsed);
        if (!text || !ranges) continue;
        const hit: SearchHit = {
          conversation: row.conversation_id,
          seq: Number(row.seq),
          id: row.id,
          sender: row.sender_id,
          kind: row.kind,
          ts: Number(row.created_at),
          snippet: snippet(text, ranges),
        };
        if (row.edited_at != null) hit.editedAt = Number(row.edited_at);
        items.push(hit);
        if (items.length === limit) return { items, next: cursorOf(after) };
      }
      if (rows.length < batch) return { items };
    }
    // Candidates ran out of rounds before the page filled: the rest starts after the last one read.
    return after ? { items, next: cursorOf(after) } : { items };
  }

  private async windows(userId: string, cid: string | undefined): Promise<SearchWindow[]> {
    if (cid !== undefined) {
      const v = await this.canRead(userId, cid);
      return [{ conversationId: cid, floor: Math.max(v.floor, v.minSeq - 1), ceil: v.ceil }];
    }
    const all = await this.deps.store.conversations.memberships(userId);
    return all.map((m) => ({
      conversationId: m.conversationId,
      floor: Math.max(m.joinedSeq, m.minSeq - 1),
      ceil: m.leftSeq != null ? Math.min(m.leftSeq, m.maxSeq) : m.maxSeq,
    }));
  }
}
