import { CompiledQuery, type Kysely, type Transaction, sql } from 'kysely';
import { newEntryId } from '../domain/ids.js';
import type { DialectName } from './db.js';
import { INSERT_CHUNK, chunks } from './chunks.js';
import { isRetryable, isUniqueViolation } from './dialect.js';
import { type EntryRow, ensureConversation } from './log.js';
import { MarkState, type MarkEffect, type MarkRefusal, applyMark, clearMarks, isMarkEffect } from './entry-marks.js';
import type { Database } from './schema.js';
import { removePostingsUpTo } from './search-index.js';
import { ShapeCache } from './shape-cache.js';

/** One entry to commit, with what must change atomically with it. */
export interface WriteItem {
  conversationId: string;
  conversationKind: 'dm' | 'group';
  /** DMs: both users, whose member rows are created with the first entry. */
  members?: readonly string[];
  senderId: string;
  clientId: string;
  kind: string;
  body: unknown;
  targetSeq?: number;
  /** Media carried by the message: recorded in `media_shares` in the same transaction. */
  mediaIds?: readonly string[];
  /**
   * recall/edit: the change to the target row, applied in the same transaction. `seenEditedAt`
   * (edits): the target's `edited_at` as the caller saw it; an edit committed since then makes
   * this one a conflict (left out: never checked).
   */
  effect?: { type: 'recall' } | { type: 'edit'; text: string; seenEditedAt?: number | null } | MarkEffect;
}

export interface WriteOutcome {
  row: EntryRow;
  /** True when (sender, clientId) was already stored: `row` is the original, nothing new was written. */
  duplicate: boolean;
  /**
   * Set when a recall/edit was NOT written because its target changed before it could apply:
   * already recalled, or (an edit) edited since the caller read it, by an earlier item of the
   * same batch or another transaction. `row` is then the target as it stands.
   */
  conflict?: string;
  /** With `conflict`: the code to answer when it is not CONFLICT (a reaction or pin bound). */
  conflictCode?: MarkRefusal;
}

/**
 * The write side of the conversation log. `commit` stores a whole batch in ONE transaction:
 * it first looks up every (sender, clientId) already stored (those items answer with their
 * original row), then appends the rest with gap-free seqs, per conversation in id order (so
 * concurrent writers lock conversations in the same order and cannot deadlock each other).
 * When another node commits the same (sender, clientId) concurrently, the unique index
 * `entries_dedup` aborts the transaction; it is retried whole, and the retry finds the row.
 * Either everything in the batch commits or nothing does.
 */
export interface EntryLogRepo {
  commit(items: readonly WriteItem[], now: number): Promise<WriteOutcome[]>;
  /** Deletes entries created before `cutoff` and moves each conversation's `min_seq` past them. */
  sweep(cutoff: number): Promise<number>;
}

const key = (sender: string, clientId: string) => `${sender}\u0000${clientId}`;
/** The columns of `entries`, in the order every EntryRow literal below lists them. */
const ENTRY_COLUMNS = [
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
] as const;
/** PostgreSQL: the rows of a commit as one array per column (see `commitIn`). */
const PG_TYPES: Record<(typeof ENTRY_COLUMNS)[number], string> = {
  conversation_id: 'varchar',
  seq: 'bigint',
  id: 'varchar',
  sender_id: 'varchar',
  client_id: 'varchar',
  kind: 'varchar',
  body: 'text',
  target_seq: 'bigint',
  created_at: 'bigint',
  edited_at: 'bigint',
  recalled_at: 'bigint',
};
const PG_INSERT = `insert into entries (${ENTRY_COLUMNS.join(', ')}) select * from unnest(${ENTRY_COLUMNS.map((c, i) => `$${i + 1}::${PG_TYPES[c]}[]`).join(', ')})`;
const MAX_ATTEMPTS = 6;

export class KyselyEntryLogRepo implements EntryLogRepo {
  /**
   * Conversations whose row (and, for DMs, both member rows) a committed batch of this writer
   * already ensured. Neither is ever deleted, so later batches skip those three statements per
   * conversation (perf: they were half the statements of a one-to-one group commit; see
   * BENCHMARKS.md). Filled only after a commit succeeded; cleared when it grows past a bound.
   */
  private readonly ensured = new Set<string>();
  /** The dedup lookup and the multi-row insert, compiled once per size (see ShapeCache). */
  private readonly shapes = new ShapeCache();

  // Search postings are not written here: the background indexer tails the log (search-index.ts).
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  async commit(items: readonly WriteItem[], now: number): Promise<WriteOutcome[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        const created: string[] = [];
        const out = await this.db.transaction().execute((trx) => this.commitIn(trx, items, now, created));
        if (this.ensured.size + created.length > 100_000) this.ensured.clear();
        for (const cid of created) this.ensured.add(cid);
        return out;
      } catch (e) {
        if (
          attempt >= MAX_ATTEMPTS ||
          !(
            isUniqueViolation(e) ||
            isRetryable(e, this.dialect) ||
            /^SQLITE_BUSY/.test(String((e as { code?: string })?.code))
          )
        )
          throw e;
        await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
      }
    }
  }

  /**
   * The rows already stored under these (sender, clientId) keys. perf (BENCHMARKS.md, "persist"):
   * PostgreSQL plans an OR of 100 key pairs slowly (it was 14 ms of a 27 ms group commit), so
   * there the keys go in as two arrays joined with `unnest`: one statement text for any count.
   * MySQL and SQLite take the OR (SQLite: 0.1 ms for 256 keys).
   */
  private async stored(trx: Transaction<Database>, keys: readonly WriteItem[]): Promise<EntryRow[]> {
    if (this.dialect === 'postgres') {
      const { rows } =
        await sql<EntryRow>`select e.* from entries e join unnest(${keys.map((k) => k.clientId)}::varchar[], ${keys.map((k) => k.senderId)}::varchar[]) as k(c, s) on e.client_id = k.c and e.sender_id = k.s`.execute(
          trx,
        );
      return rows;
    }
    const { rows } = await this.shapes.execute<EntryRow>(
      trx,
      `dedup:${keys.length}`,
      keys.flatMap((p) => [p.senderId, p.clientId]),
      () =>
        trx
          .selectFrom('entries')
          .selectAll()
          .where((eb) =>
            eb.or(keys.map((p) => eb.and([eb('sender_id', '=', p.senderId), eb('client_id', '=', p.clientId)]))),
          ),
    );
    return rows;
  }

  private async commitIn(
    trx: Transaction<Database>,
    items: readonly WriteItem[],
    now: number,
    created: string[],
  ): Promise<WriteOutcome[]> {
    const existing = new Map<string, EntryRow>();
    const pairs = [...new Map(items.map((i) => [key(i.senderId, i.clientId), i])).values()];
    for (let i = 0; i < pairs.length; i += 100) {
      for (const r of await this.stored(trx, pairs.slice(i, i + 100))) existing.set(key(r.sender_id!, r.client_id!), r);
    }

    // The first occurrence of a key in the batch is written; later ones answer as duplicates.
    const fresh = new Map<string, WriteItem[]>();
    const claimed = new Set<string>();
    for (const it of items) {
      const k = key(it.senderId, it.clientId);
      if (existing.has(k) || claimed.has(k)) continue;
      claimed.add(k);
      const list = fresh.get(it.conversationId) ?? [];
      list.push(it);
      fresh.set(it.conversationId, list);
    }

    // Reactions and pins: the entry body is the state after the change (see MarkState).
    const bodies = new Map<string, unknown>();
    const conflicts = await this.checkTargets(trx, fresh, key, bodies, now);
    for (const [cid, list] of fresh) {
      const kept = list.filter((it) => !conflicts.has(key(it.senderId, it.clientId)));
      if (kept.length) fresh.set(cid, kept);
      else fresh.delete(cid);
    }

    // perf (see BENCHMARKS.md): a batch of one-to-one messages spans hundreds of conversations;
    // seqs for all of them are reserved with ONE update and one read-back, and all rows go in
    // multi-row inserts, instead of update + select + insert per conversation.
    const cids = [...fresh.keys()].sort();
    for (const cid of cids) {
      if (this.ensured.has(cid)) continue;
      const first = fresh.get(cid)![0]!;
      await ensureConversation(trx, this.dialect, cid, first.conversationKind, now);
      if (first.members) await this.ensureMembers(trx, cid, first.members, now);
      created.push(cid);
    }
    const next = await this.reserveSeqs(
      trx,
      cids.map((cid) => [cid, fresh.get(cid)!.length] as const),
      now,
    );
    const written = new Map<string, EntryRow>();
    const rows: EntryRow[] = [];
    for (const cid of cids) {
      let seq = next.get(cid)!;
      for (const it of fresh.get(cid)!) {
        const row: EntryRow = {
          conversation_id: cid,
          seq: seq++,
          id: newEntryId(now),
          sender_id: it.senderId,
          client_id: it.clientId,
          kind: it.kind,
          body: JSON.stringify(bodies.get(key(it.senderId, it.clientId)) ?? it.body ?? {}),
          target_seq: it.targetSeq ?? null,
          created_at: now,
          edited_at: null,
          recalled_at: null,
        };
        rows.push(row);
        written.set(key(it.senderId, it.clientId), row);
      }
    }
    if (this.dialect === 'postgres') {
      // perf (BENCHMARKS.md, "persist"): one array per column instead of 11 parameters per row:
      // PostgreSQL parses and binds 11 parameters, not 2,816, and the text is the same for any count.
      await trx.executeQuery(
        CompiledQuery.raw(
          PG_INSERT,
          ENTRY_COLUMNS.map((c) => rows.map((r) => r[c])),
        ),
      );
    }
    // Chunked so a large batch stays under every dialect's bound-parameter limit.
    else
      for (const chunk of chunks(rows, INSERT_CHUNK)) {
        await this.shapes.execute(
          trx,
          `insert:${chunk.length}`,
          chunk.flatMap((r) => ENTRY_COLUMNS.map((c) => r[c])),
          () => trx.insertInto('entries').values(chunk),
        );
      }
    for (const cid of cids) {
      for (const it of fresh.get(cid)!) {
        if (isMarkEffect(it.effect) && it.targetSeq != null)
          await applyMark(trx, cid, it.targetSeq, it.effect, it.senderId, now);
        else if (it.effect && it.targetSeq != null) await this.applyEffect(trx, cid, it.targetSeq, it.effect, now);
        for (const m of it.mediaIds ?? []) await this.share(trx, m, cid);
      }
    }

    // A second copy of the same key in this batch is a duplicate of the first.
    const firstOf = new Map<string, WriteItem>();
    for (const it of items) {
      const k = key(it.senderId, it.clientId);
      if (!firstOf.has(k)) firstOf.set(k, it);
    }
    return items.map((it) => {
      const k = key(it.senderId, it.clientId);
      const old = existing.get(k);
      if (old) return { row: old, duplicate: true };
      const refused = conflicts.get(k);
      if (refused)
        return {
          row: refused.row,
          duplicate: false,
          conflict: refused.reason,
          ...(refused.code ? { conflictCode: refused.code } : {}),
        };
      return { row: written.get(k)!, duplicate: firstOf.get(k) !== it };
    });
  }

  /**
   * Re-checks the targets of the batch's recalls and edits inside the transaction, so each
   * applies once: on PostgreSQL/MySQL the batch's conversation rows are locked first (in id
   * order, the order every writer locks them in), so no other node's recall or edit of these
   * targets can commit between this check and this commit; SQLite runs one writing transaction
   * at a time. Items are walked in batch order, so of two recalls (or a recall and an edit, or
   * two edits made from the same view) of one message queued together, the first applies and
   * the second is a conflict. Returns the conflicting items by key, with the target row.
   */
  private async checkTargets(
    trx: Transaction<Database>,
    fresh: Map<string, WriteItem[]>,
    keyOf: typeof key,
    bodies: Map<string, unknown>,
    now: number,
  ): Promise<Map<string, { row: EntryRow; reason: string; code?: MarkRefusal }>> {
    const out = new Map<string, { row: EntryRow; reason: string; code?: MarkRefusal }>();
    const amended = [...fresh].filter(([, list]) => list.some((it) => it.effect && it.targetSeq != null));
    if (amended.length === 0) return out;
    if (this.dialect !== 'sqlite') {
      await trx
        .selectFrom('conversations')
        .select('id')
        .where('id', 'in', [...fresh.keys()].sort())
        .orderBy('id')
        .forUpdate()
        .execute();
    }
    for (const [cid, list] of amended) {
      const seqs = [...new Set(list.flatMap((it) => (it.effect && it.targetSeq != null ? [it.targetSeq] : [])))];
      const targets = await trx
        .selectFrom('entries')
        .selectAll()
        .where('conversation_id', '=', cid)
        .where('seq', 'in', seqs)
        .execute();
      // What each target looks like as the batch's items apply in order; NaN: edited in this batch.
      const state = new Map(
        targets.map((r) => [
          Number(r.seq),
          { row: r, recalled: r.recalled_at != null, editedAt: r.edited_at == null ? null : Number(r.edited_at) },
        ]),
      );
      const marks = list.some((it) => isMarkEffect(it.effect)) ? await MarkState.load(trx, cid, list, now) : undefined;
      for (const it of list) {
        const t = it.targetSeq == null ? undefined : state.get(it.targetSeq);
        if (!it.effect || !t) continue;
        let reason: string | undefined;
        if (t.recalled) reason = 'The message was already recalled';
        else if (isMarkEffect(it.effect)) {
          const got = marks!.check(it.senderId, it.targetSeq!, it.effect);
          if ('body' in got) bodies.set(keyOf(it.senderId, it.clientId), got.body);
          else {
            out.set(keyOf(it.senderId, it.clientId), { row: t.row, ...got });
            continue;
          }
        } else if (it.effect.type === 'recall') t.recalled = true;
        else if (it.effect.seenEditedAt !== undefined && !Object.is(it.effect.seenEditedAt, t.editedAt))
          reason = 'The message was edited meanwhile';
        else t.editedAt = Number.NaN;
        if (reason) out.set(keyOf(it.senderId, it.clientId), { row: t.row, reason });
      }
    }
    return out;
  }

  /**
   * Moves each conversation's `max_seq` up by its count in one UPDATE (the row locks are held
   * until commit, so seqs stay gap-free and unique across nodes), then reads the new values
   * back. Returns the first seq reserved per conversation. Conversations are given sorted, and
   * concurrent writers lock them in index order; a deadlock would be retried by `commit`.
   */
  private async reserveSeqs(
    trx: Transaction<Database>,
    counts: readonly (readonly [string, number])[],
    now: number,
  ): Promise<Map<string, number>> {
    const first = new Map<string, number>();
    for (let i = 0; i < counts.length; i += 500) {
      const chunk = counts.slice(i, i + 500);
      const ids = chunk.map(([cid]) => cid);
      // One SQL text per chunk size (compiled once, and a statement-cache hit on SQLite): the
      // counts are parameters, typed as numbers by the CASE's `else 0` on every dialect. Inlined
      // literals made every commit's SQL new (BENCHMARKS.md, "pages per commit and receipts").
      const inc = sql<number>`case id ${sql.join(
        chunk.map(([cid, n]) => sql`when ${cid} then ${n}`),
        sql` `,
      )} else 0 end`;
      await this.shapes.execute(trx, `reserve:${chunk.length}`, [...chunk.flat(), now, ...ids], () =>
        trx
          .updateTable('conversations')
          .set({ max_seq: sql<number>`max_seq + ${inc}`, last_at: now })
          .where('id', 'in', ids),
      );
      const { rows: got } = await this.shapes.execute<{ id: string; max_seq: number }>(
        trx,
        `reserved:${chunk.length}`,
        ids,
        () => trx.selectFrom('conversations').select(['id', 'max_seq']).where('id', 'in', ids),
      );
      const n = new Map(chunk);
      for (const r of got) first.set(r.id, Number(r.max_seq) - n.get(r.id)! + 1);
    }
    for (const [cid] of counts) if (!first.has(cid)) throw new Error(`conversation ${cid} does not exist`);
    return first;
  }

  private async applyEffect(
    trx: Transaction<Database>,
    cid: string,
    target: number,
    effect: NonNullable<WriteItem['effect']>,
    now: number,
  ) {
    if (isMarkEffect(effect)) return;
    if (effect.type === 'recall') {
      // Its reactions and pin go with its content.
      await clearMarks(trx, cid, target);
      // Earlier edits of the recalled message lose their text too.
      await trx
        .updateTable('entries')
        .set({ recalled_at: now })
        .where('conversation_id', '=', cid)
        .where((eb) =>
          eb.or([eb('seq', '=', target), eb.and([eb('target_seq', '=', target), eb('kind', '=', 'edit')])]),
        )
        .execute();
      return;
    }
    const row = await trx
      .selectFrom('entries')
      .select(['body'])
      .where('conversation_id', '=', cid)
      .where('seq', '=', target)
      .executeTakeFirst();
    if (!row) return;
    const body = JSON.parse(row.body) as Record<string, unknown>;
    body.text = effect.text;
    await trx
      .updateTable('entries')
      .set({ body: JSON.stringify(body), edited_at: now })
      .where('conversation_id', '=', cid)
      .where('seq', '=', target)
      .execute();
  }

  private async ensureMembers(trx: Transaction<Database>, cid: string, users: readonly string[], now: number) {
    for (const u of users) {
      const insert = trx.insertInto('conversation_members').values({
        conversation_id: cid,
        user_id: u,
        read_seq: 0,
        muted: 0,
        pinned: 0,
        joined_seq: 0,
        left_seq: null,
        updated_at: now,
      });
      await (this.dialect === 'mysql'
        ? insert.onDuplicateKeyUpdate({ user_id: sql`user_id` })
        : insert.onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doNothing())
      ).execute();
    }
  }

  private async share(trx: Transaction<Database>, mediaId: string, cid: string) {
    const insert = trx.insertInto('media_shares').values({ media_id: mediaId, conversation_id: cid });
    await (this.dialect === 'mysql'
      ? insert.onDuplicateKeyUpdate({ media_id: sql`media_id` })
      : insert.onConflict((oc) => oc.columns(['media_id', 'conversation_id']).doNothing())
    ).execute();
  }

  async sweep(cutoff: number): Promise<number> {
    const old = await this.db
      .selectFrom('entries')
      .select(['conversation_id', (eb) => eb.fn.max('seq').as('upto')])
      .where('created_at', '<', cutoff)
      .groupBy('conversation_id')
      .execute();
    let removed = 0;
    for (const { conversation_id: cid, upto } of old) {
      const last = Number(upto);
      await this.db.transaction().execute(async (trx) => {
        const r = await trx
          .deleteFrom('entries')
          .where('conversation_id', '=', cid)
          .where('seq', '<=', last)
          .executeTakeFirst();
        removed += Number(r.numDeletedRows ?? 0);
        await removePostingsUpTo(trx, cid, last);
        await clearMarks(trx, cid, last, true);
        await trx
          .updateTable('conversations')
          .set({ min_seq: last + 1 })
          .where('id', '=', cid)
          .where('min_seq', '<=', last)
          .execute();
      });
    }
    return removed;
  }
}
