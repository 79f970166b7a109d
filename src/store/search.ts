import { type Expression, type Kysely, type SqlBool, sql } from 'kysely';
import type { TokenCond } from '../domain/search-text.js';
import type { EntryRow } from './log.js';
import type { Database } from './schema.js';

/** Part of a conversation a searcher may read: entries with `floor < seq <= ceil`. */
export interface SearchWindow {
  conversationId: string;
  floor: number;
  ceil: number;
}

/** A place in the order of hits: newest `created_at` first, then conversation id, then seq, descending. */
export interface SearchKey {
  at: number;
  cid: string;
  seq: number;
}

/** A prefix with at most this many distinct tokens is looked up as those tokens (equality seeks). */
const EXPAND_MAX = 16;
/** One lookup as the query runs it: a list of exact tokens, or (a prefix with many) a token range. */
type Lookup = { tokens: string[] } | { from: string; to: string };

/** Conversations per query: keeps the bound parameters far under every dialect's limit. */
const WINDOWS_PER_QUERY = 400;
/** Above this the token bounds of a prefix lookup: a character greater than any that occurs. */
const TOP = '\u{10ffff}';

/**
 * Reads of the message search index (written behind the commit by the indexer, see search-index.ts).
 */
export interface SearchRepo {
  /**
   * Stored entries, not recalled, inside one of `windows`, that have a posting matching every
   * one of `conds` (exact token, or token starting with it when `prefix`), strictly after
   * `after` in {@link SearchKey} order, at most `limit`, in that order. These are candidates:
   * the caller checks each against its text (bigrams found apart are not a substring).
   */
  candidates(
    windows: readonly SearchWindow[],
    conds: readonly TokenCond[],
    after: SearchKey | undefined,
    limit: number,
  ): Promise<EntryRow[]>;
}

export const keyOf = (r: { created_at: number; conversation_id: string; seq: number }): SearchKey => ({
  at: Number(r.created_at),
  cid: r.conversation_id,
  seq: Number(r.seq),
});

/** True when `a` comes before `b` in the order of hits. */
export function keyBefore(a: SearchKey, b: SearchKey): boolean {
  if (a.at !== b.at) return a.at > b.at;
  if (a.cid !== b.cid) return a.cid > b.cid;
  return a.seq > b.seq;
}

export class KyselySearchRepo implements SearchRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async candidates(
    windows: readonly SearchWindow[],
    conds: readonly TokenCond[],
    after: SearchKey | undefined,
    limit: number,
  ): Promise<EntryRow[]> {
    const open = windows.filter((w) => w.ceil > w.floor);
    if (open.length === 0 || conds.length === 0) return [];
    const lookups: Lookup[] = [];
    for (const c of conds) {
      const l = c.prefix ? await this.expand(c.token) : { tokens: [c.token] };
      if ('tokens' in l && l.tokens.length === 0) return [];
      lookups.push(l);
    }
    const keys: SearchKey[] = [];
    for (let i = 0; i < open.length; i += WINDOWS_PER_QUERY) {
      keys.push(...(await this.keys(open.slice(i, i + WINDOWS_PER_QUERY), lookups, after, limit)));
    }
    keys.sort((a, b) => (keyBefore(a, b) ? -1 : 1));
    const top = keys.slice(0, limit);
    if (top.length === 0) return [];
    const rows = await this.db
      .selectFrom('entries')
      .selectAll()
      .where((eb) => eb.or(top.map((k) => eb.and([eb('conversation_id', '=', k.cid), eb('seq', '=', k.seq)]))))
      .where('recalled_at', 'is', null)
      .execute();
    const byKey = new Map(rows.map((r) => [`${r.conversation_id}\u0000${Number(r.seq)}`, r]));
    return top.flatMap((k) => byKey.get(`${k.cid}\u0000${k.seq}`) ?? []);
  }

  /**
   * The distinct tokens starting with `prefix`, found by stepping through the token index (one
   * seek each), when there are at most {@link EXPAND_MAX}; otherwise the range. Exact tokens let
   * every dialect seek (token, conversation) pairs instead of scanning a range (see BENCHMARKS.md).
   */
  private async expand(prefix: string): Promise<Lookup> {
    const to = prefix + TOP;
    const tokens: string[] = [];
    let from = prefix;
    let inclusive = true;
    while (tokens.length <= EXPAND_MAX) {
      const f = from;
      const row = await this.db
        .selectFrom('search_postings')
        .select((eb) => eb.fn.min('token').as('t'))
        .where('token', inclusive ? '>=' : '>', f)
        .where('token', '<', to)
        .executeTakeFirst();
      const t = row?.t as string | null | undefined;
      if (t == null) return { tokens };
      tokens.push(t);
      from = t;
      inclusive = false;
    }
    return { from: prefix, to };
  }

  private async keys(
    windows: readonly SearchWindow[],
    lookups: readonly Lookup[],
    after: SearchKey | undefined,
    limit: number,
  ): Promise<SearchKey[]> {
    // The shortest token list drives; a range only when every lookup is one.
    const order = [...lookups].sort(
      (a, b) => ('tokens' in a ? a.tokens.length : 1e9) - ('tokens' in b ? b.tokens.length : 1e9),
    );
    const [drive, ...rest] = order;
    const tokenIs = (col: 'p.token' | 'q.token', l: Lookup): Expression<SqlBool> =>
      'tokens' in l
        ? l.tokens.length === 1
          ? sql<SqlBool>`${sql.ref(col)} = ${l.tokens[0]}`
          : sql<SqlBool>`${sql.ref(col)} in (${sql.join(l.tokens)})`
        : sql<SqlBool>`(${sql.ref(col)} >= ${l.from} and ${sql.ref(col)} < ${l.to})`;
    // The window test is a CASE, not an OR of ranges, so no planner turns it into per-range
    // scans of every token of those conversations: the token index drives, windows filter.
    const inWindow = sql<SqlBool>`case p.conversation_id ${sql.join(
      windows.map((w) => sql`when ${w.conversationId} then (p.seq > ${w.floor} and p.seq <= ${w.ceil})`),
      sql` `,
    )} else false end`;
    let q = this.db
      .selectFrom('search_postings as p')
      .select(['p.created_at', 'p.conversation_id', 'p.seq'])
      .distinct()
      .where(tokenIs('p.token', drive!))
      .where(
        'p.conversation_id',
        'in',
        windows.map((w) => w.conversationId),
      )
      .where(inWindow);
    for (const c of rest) {
      q = q.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('search_postings as q')
            .select(sql`1`.as('one'))
            .whereRef('q.conversation_id', '=', 'p.conversation_id')
            .whereRef('q.seq', '=', 'p.seq')
            .where(tokenIs('q.token', c)),
        ),
      );
    }
    if (after) {
      q = q.where(
        sql<SqlBool>`(p.created_at < ${after.at} or (p.created_at = ${after.at} and (p.conversation_id < ${after.cid} or (p.conversation_id = ${after.cid} and p.seq < ${after.seq}))))`,
      );
    }
    const rows = await q
      .orderBy('p.created_at', 'desc')
      .orderBy('p.conversation_id', 'desc')
      .orderBy('p.seq', 'desc')
      .limit(limit)
      .execute();
    return rows.map(keyOf);
  }
}
