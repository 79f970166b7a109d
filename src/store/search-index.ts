import { isMessageKind } from '@parley/client';
import { CompiledQuery, type Kysely, type SqlBool, type Transaction, sql } from 'kysely';
import { indexTokens } from '../domain/search-text.js';
import { chunks } from './chunks.js';
import { type DialectName, isUniqueViolation } from './dialect.js';
import type { Database, SearchPostingsTable } from './schema.js';
import { ShapeCache } from './shape-cache.js';

type Tx = Transaction<Database> | Kysely<Database>;
const POSTING_COLUMNS = ['token', 'conversation_id', 'seq', 'created_at'] as const;
/** 4 columns × 500 rows: 2,000 parameters per insert, far under every dialect's bound. */
const POSTINGS_CHUNK = 500;
/** PostgreSQL: postings as one array per column; one already there is kept (see `insert`). */
const PG_POSTINGS =
  'insert into search_postings (token, conversation_id, seq, created_at) select * from unnest($1::varchar[], $2::varchar[], $3::bigint[], $4::bigint[]) on conflict do nothing';
/** Conversations per read: keeps each statement's bound parameters far under every limit. */
const CIDS_PER_QUERY = 100;

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

/** Drops the postings of a conversation's entries up to `upTo` (retention, inside its transaction). */
export async function removePostingsUpTo(trx: Tx, cid: string, upTo: number): Promise<void> {
  await trx.deleteFrom('search_postings').where('conversation_id', '=', cid).where('seq', '<=', upTo).execute();
}

/** What one indexing pass did. */
export interface IndexPass {
  /** Conversations indexed up to the `max_seq` they had when the pass read them. */
  caughtUp: string[];
  /** Conversations the pass advanced but did not finish (more than its share of the budget). */
  more: string[];
  /** Entries read past the watermarks. */
  entries: number;
  /** Postings written (re-indexed edits included). */
  postings: number;
}

/** Another indexer moved a watermark this pass read: nothing was written; run the pass again. */
export class IndexRaceError extends Error {
  constructor() {
    super('search index watermark moved under this pass');
  }
}

/**
 * The message search index's writer, run in the background behind the group commit (see
 * services/search-indexer.ts). Each conversation has a watermark, `search_progress.indexed_seq`:
 * its entries up to that seq are indexed. A pass reads past the watermark (on a reading
 * connection), makes the postings, and in one short transaction moves the watermark by
 * compare-and-set and writes them; so two nodes indexing the same conversation never write a
 * posting twice, and a crash between passes loses nothing (the next pass starts at the mark).
 *
 * Edits and recalls change an earlier row in place and then append an entry; a pass that reads
 * such an entry re-indexes its target from the row as it is then (an edit: the latest text; a
 * recall: no postings). Until then a search may meet a stale posting, which it filters out (it
 * checks every candidate against the current text and skips recalled rows).
 */
export interface SearchIndexRepo {
  /**
   * Indexes the entries of `cids` past their watermarks, about `budget` entries in all (each
   * conversation gets an equal share, at least 4). Throws {@link IndexRaceError} when another
   * indexer moved one of those watermarks first (nothing was written).
   */
  index(cids: readonly string[], budget: number): Promise<IndexPass>;
  /** Of `targets`, the conversations whose watermark is below `upTo` (in `targets`' order). */
  behind(targets: readonly { cid: string; upTo: number }[]): Promise<string[]>;
  /** Up to `limit` conversations with entries past their watermark (the indexer's sweep). */
  lagging(limit: number): Promise<string[]>;
}

interface Mark {
  cid: string;
  /** The watermark read; null when the conversation has no progress row yet (0). */
  from: number | null;
  to: number;
  max: number;
}

type IndexedRow = {
  conversation_id: string;
  seq: number;
  kind: string;
  body: string;
  created_at: number;
  recalled_at: number | null;
  target_seq: number | null;
};

export class KyselySearchIndexRepo implements SearchIndexRepo {
  private readonly shapes = new ShapeCache();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  async index(cids: readonly string[], budget: number): Promise<IndexPass> {
    const pass: IndexPass = { caughtUp: [], more: [], entries: 0, postings: 0 };
    const unique = [...new Set(cids)].sort();
    if (unique.length === 0) return pass;
    const span = Math.max(4, Math.floor(budget / unique.length));
    const marks: Mark[] = [];
    for (const part of chunks(unique, CIDS_PER_QUERY)) {
      const rows = await this.db
        .selectFrom('conversations as c')
        .leftJoin('search_progress as p', 'p.conversation_id', 'c.id')
        .select(['c.id', 'c.max_seq', 'p.indexed_seq'])
        .where('c.id', 'in', part)
        .execute();
      for (const r of rows) {
        const from = r.indexed_seq == null ? null : Number(r.indexed_seq);
        const max = Number(r.max_seq);
        if (max <= (from ?? 0)) {
          pass.caughtUp.push(r.id);
          continue;
        }
        const to = Math.min(max, (from ?? 0) + span);
        marks.push({ cid: r.id, from, to, max });
        (to === max ? pass.caughtUp : pass.more).push(r.id);
      }
    }
    if (marks.length === 0) return pass;

    // Read past the watermarks. Rows are immutable but for edits and recalls, which append an
    // entry that a later pass sees (and re-indexes the target for).
    const read: IndexedRow[] = [];
    for (const part of chunks(marks, CIDS_PER_QUERY)) {
      read.push(
        ...(await this.db
          .selectFrom('entries')
          .select(['conversation_id', 'seq', 'kind', 'body', 'created_at', 'recalled_at', 'target_seq'])
          .where((eb) =>
            eb.or(
              part.map((m) =>
                eb.and([eb('conversation_id', '=', m.cid), eb('seq', '>', m.from ?? 0), eb('seq', '<=', m.to)]),
              ),
            ),
          )
          .execute()),
      );
    }
    pass.entries = read.length;
    const fromOf = new Map(marks.map((m) => [m.cid, m.from ?? 0]));
    const postings: SearchPostingsTable[] = [];
    const redo = new Map<string, { cid: string; seq: number }>();
    for (const r of read) {
      postings.push(...postingsOf(r));
      // An edit or recall of a message indexed by an earlier pass: index it again as it is now.
      if ((r.kind === 'edit' || r.kind === 'recall') && r.target_seq != null) {
        const target = Number(r.target_seq);
        if (target <= fromOf.get(r.conversation_id)!)
          redo.set(`${r.conversation_id}\u0000${target}`, { cid: r.conversation_id, seq: target });
      }
    }
    const redone: SearchPostingsTable[] = [];
    for (const part of chunks([...redo.values()], CIDS_PER_QUERY)) {
      const rows = await this.db
        .selectFrom('entries')
        .select(['conversation_id', 'seq', 'kind', 'body', 'created_at', 'recalled_at'])
        .where((eb) => eb.or(part.map((t) => eb.and([eb('conversation_id', '=', t.cid), eb('seq', '=', t.seq)]))))
        .execute();
      for (const r of rows) redone.push(...postingsOf(r));
    }

    await this.db.transaction().execute(async (trx) => {
      await this.advance(trx, marks);
      for (const part of chunks([...redo.values()], CIDS_PER_QUERY)) {
        await trx
          .deleteFrom('search_postings')
          .where((eb) => eb.or(part.map((t) => eb.and([eb('conversation_id', '=', t.cid), eb('seq', '=', t.seq)]))))
          .execute();
      }
      await this.insert(trx, postings);
      await this.insert(trx, redone);
    });
    pass.postings = postings.length + redone.length;
    return pass;
  }

  /** Moves every mark from `from` to `to`, or throws IndexRaceError (first, so the rows are locked before any posting is written). */
  private async advance(trx: Transaction<Database>, marks: readonly Mark[]) {
    const fresh = marks.filter((m) => m.from === null);
    const moved = marks.filter((m) => m.from !== null);
    for (const part of chunks(moved, CIDS_PER_QUERY)) {
      const set = sql<number>`case conversation_id ${sql.join(
        part.map((m) => sql`when ${m.cid} then ${m.to}`),
        sql` `,
      )} else indexed_seq end`;
      const guard = sql<SqlBool>`case conversation_id ${sql.join(
        part.map((m) => sql`when ${m.cid} then indexed_seq = ${m.from}`),
        sql` `,
      )} else false end`;
      const r = await trx
        .updateTable('search_progress')
        .set({ indexed_seq: set })
        .where(
          'conversation_id',
          'in',
          part.map((m) => m.cid),
        )
        .where(guard)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== part.length) throw new IndexRaceError();
    }
    for (const part of chunks(fresh, CIDS_PER_QUERY)) {
      try {
        await trx
          .insertInto('search_progress')
          .values(part.map((m) => ({ conversation_id: m.cid, indexed_seq: m.to })))
          .execute();
      } catch (e) {
        if (isUniqueViolation(e)) throw new IndexRaceError();
        throw e;
      }
    }
  }

  private async insert(trx: Transaction<Database>, postings: readonly SearchPostingsTable[]) {
    if (this.dialect === 'postgres') {
      // One array per column (as the entries of a group commit): 4 parameters for any count.
      if (postings.length)
        await trx.executeQuery(
          CompiledQuery.raw(
            PG_POSTINGS,
            POSTING_COLUMNS.map((c) => postings.map((p) => p[c])),
          ),
        );
      return;
    }
    for (const chunk of chunks(postings, POSTINGS_CHUNK)) {
      await this.shapes.execute(
        trx,
        `postings:${chunk.length}`,
        chunk.flatMap((p) => POSTING_COLUMNS.map((c) => p[c])),
        () => {
          // A posting already there (a database restored with its postings but not its marks)
          // is the same posting: kept, not an error.
          const q = trx.insertInto('search_postings').values([...chunk]);
          return this.dialect === 'mysql'
            ? q.onDuplicateKeyUpdate({ token: sql`token` })
            : q.onConflict((oc) => oc.doNothing());
        },
      );
    }
  }

  async behind(targets: readonly { cid: string; upTo: number }[]): Promise<string[]> {
    const open = targets.filter((t) => t.upTo > 0);
    const marks = new Map<string, number>();
    for (const part of chunks(open, 400)) {
      const rows = await this.db
        .selectFrom('search_progress')
        .select(['conversation_id', 'indexed_seq'])
        .where(
          'conversation_id',
          'in',
          part.map((t) => t.cid),
        )
        .execute();
      for (const r of rows) marks.set(r.conversation_id, Number(r.indexed_seq));
    }
    return open.filter((t) => (marks.get(t.cid) ?? 0) < t.upTo).map((t) => t.cid);
  }

  async lagging(limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('conversations as c')
      .leftJoin('search_progress as p', 'p.conversation_id', 'c.id')
      .select('c.id')
      .where((eb) => eb('c.max_seq', '>', eb.fn.coalesce('p.indexed_seq', sql.lit(0))))
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }
}
