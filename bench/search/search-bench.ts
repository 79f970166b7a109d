/**
 * Message search benchmark (not a test): fills a SQLite database with `--messages` messages
 * (mixed English, accented French/German, Chinese, Japanese, Korean) over `--conversations`
 * conversations of skewed sizes, in bulk through the driver, with the postings the indexer
 * makes (`postingsOf`) and its watermarks, makes one user a member of `--member-of` of them
 * (the largest three included, a few joined late or left), then runs every query of a fixed mix
 * `--rounds` times across all of that user's conversations and within one large conversation,
 * and prints p50/p95/p99 per kind.
 *
 *   node --conditions=@parley/source --import tsx bench/search/search-bench.ts \
 *     --messages 1000000 [--conversations 4000] [--member-of 50] [--rounds 20] [--db path] \
 *     [--token-index incremental|sorted]
 *
 * `--token-index incremental` (the default) keeps the token index while filling, so its B-tree
 * grows row by row in random token order as the background indexer grows it in production;
 * `sorted` builds it once after the fill (much faster to fill, a denser tree).
 * An existing `--db` file is reused (no refill) when it already holds the messages.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MemoryRateLimiter } from '../../src/bus/rate-limiter.js';
import { systemClock } from '../../src/domain/clock.js';
import { groupConversationId } from '../../src/domain/conversation-id.js';
import { newId } from '../../src/domain/ids.js';
import { AuthzCache } from '../../src/services/authz-cache.js';
import { ConversationAccess } from '../../src/services/conversation-access.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { SearchService } from '../../src/services/search.js';
import { SearchIndexer } from '../../src/services/search-indexer.js';
import { silentLogger } from '../../src/domain/logger.js';
import { postingsOf } from '../../src/store/search-index.js';
import { openStore } from '../../src/store/store.js';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const num = (k: string, d: number) => Number(args.get(k) ?? d);
const MESSAGES = num('messages', 1_000_000);
const CONVS = num('conversations', 4000);
const MEMBER_OF = num('member-of', 50);
const ROUNDS = num('rounds', 20);
const SORTED_INDEX = args.get('token-index') === 'sorted';
const file = args.get('db') ?? path.join(os.tmpdir(), `parley-search-bench-${MESSAGES}.db`);

// A deterministic generator, so every run searches the same corpus.
let seed = 42;
/** mulberry32: consecutive values uncorrelated (a plain LCG put some words never together). */
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
/** Zipf-like: small indexes much more often. */
const zipf = <T>(xs: readonly T[]) => xs[Math.floor(xs.length * rand() ** 3)]!;

const COMMON =
  'the a to and of in is it you that for on was with are this be at have not but we they so what can'.split(' ');
const syll = 'ka ri mo ne ta sol ven dor mi lu pa ra zen tor bel fin gra ost qui vel'.split(' ');
// A vocabulary of ~5,000 made-up words plus real ones the queries use.
const VOCAB: string[] = ['coffee', 'meeting', 'tomorrow', 'project', 'deadline', 'weekend', 'birthday', 'football'];
while (VOCAB.length < 5000) VOCAB.push(pick(syll) + pick(syll) + (rand() < 0.5 ? pick(syll) : ''));
const ACCENTED = [
  'Café',
  'crème',
  'déjà',
  'été',
  'naïve',
  'façade',
  'Straße',
  'über',
  'Ærø',
  'señor',
  'garçon',
  'CAFÉ',
];
const HAN =
  '我你他们在是的了不有这个北京上海工作学习朋友时间今天明天吃饭喝咖啡开会项目周末生日足球电影音乐公司学校老师'.split(
    '',
  );
const KANA = 'あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをんがぎぐ'.split(
  '',
);
const KATA = ['コーヒー', 'タワー', 'テレビ', 'パソコン', 'ラーメン'];
const KANJI = ['東京', '会議', '明日', '仕事', '電車'];
const HANGUL = '가나다라마바사아자차카타파하한국어공부회의내일커피친구'.split('');

function text(): string {
  const r = rand();
  const n = 3 + Math.floor(rand() * 12);
  const out: string[] = [];
  if (r < 0.55) {
    for (let i = 0; i < n; i++) out.push(rand() < 0.4 ? pick(COMMON) : zipf(VOCAB));
    if (rand() < 0.15) out.push(pick(ACCENTED));
    return out.join(' ');
  }
  if (r < 0.7) {
    for (let i = 0; i < n; i++) out.push(rand() < 0.3 ? pick(ACCENTED) : zipf(VOCAB));
    return out.join(' ');
  }
  if (r < 0.85) return Array.from({ length: 4 + n }, () => zipf(HAN)).join('') + (rand() < 0.2 ? ' ok' : '');
  if (r < 0.93) {
    let s = '';
    for (let i = 0; i < n; i++) s += rand() < 0.2 ? pick(KATA) : rand() < 0.3 ? pick(KANJI) : pick(KANA);
    return s;
  }
  return Array.from({ length: n }, () =>
    Array.from({ length: 2 + Math.floor(rand() * 3) }, () => zipf(HANGUL)).join(''),
  ).join(' ');
}

async function main() {
  const fresh = !fs.existsSync(file);
  let store = await openStore(`sqlite:${file}`, { sqliteSynchronous: 'NORMAL', sqliteWriter: 'inline' });
  const user = '0000000000000000000000user';
  const cids = Array.from({ length: CONVS }, (_, i) =>
    groupConversationId(`00000000000000000000${String(i).padStart(6, '0')}`),
  );
  // Sizes: conversation i gets a share ∝ 1/(i+10): the largest hold tens of thousands.
  const weights = cids.map((_, i) => 1 / (i + 10));
  const total = weights.reduce((a, b) => a + b, 0);
  const cum: number[] = [];
  let acc = 0;
  for (const w of weights) {
    acc += w / total;
    cum.push(acc);
  }
  const conversationAt = (x: number) => {
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return cids[lo]!;
  };

  const have = Number(
    (
      await store.conn.db
        .selectFrom('entries')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst()
    )?.n ?? 0,
  );
  if (fresh || have < MESSAGES) {
    // Bulk fill through the driver (the entry log's commit path is measured by the persist
    // bench): the same rows and the same postings (postingsOf) the commit writes.
    await store.close();
    const raw = new SQLite(file);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = OFF');
    // Postings arrive in random key order: a large page cache keeps the B-trees' inner pages in memory.
    raw.pragma('cache_size = -2000000');
    const insEntry = raw.prepare(
      'insert into entries (conversation_id, seq, id, sender_id, client_id, kind, body, target_seq, created_at, edited_at, recalled_at) values (?, ?, ?, ?, ?, ?, ?, null, ?, null, null)',
    );
    const insPosting = raw.prepare(
      'insert into search_postings (token, conversation_id, seq, created_at) values (?, ?, ?, ?)',
    );
    const upConv = raw.prepare(
      "insert into conversations (id, kind, max_seq, min_seq, created_at, last_at) values (?, 'group', ?, 1, ?, ?) on conflict (id) do update set max_seq = excluded.max_seq, last_at = excluded.last_at",
    );
    const seqs = new Map<string, number>();
    // The token index is built once at the end (sorted), not row by row in random token order.
    if (SORTED_INDEX) raw.exec('drop index if exists search_postings_token');
    const t0 = performance.now();
    let at = Date.UTC(2026, 0, 1);
    const BATCH = 10_000;
    const fill = raw.transaction((n: number) => {
      for (let k = 0; k < n; k++) {
        const cid = conversationAt(rand());
        const seq = (seqs.get(cid) ?? 0) + 1;
        seqs.set(cid, seq);
        at += 1000;
        const body = JSON.stringify({ text: text() });
        insEntry.run(cid, seq, newId(), `sender${Math.floor(rand() * 500)}`, newId(), 'text', body, at);
        for (const p of postingsOf({ conversation_id: cid, seq, kind: 'text', body, created_at: at }))
          insPosting.run(p.token, p.conversation_id, p.seq, p.created_at);
      }
      for (const [cid, max] of seqs) upConv.run(cid, max, at, at);
    });
    for (let done = 0; done < MESSAGES; done += BATCH) {
      fill(Math.min(BATCH, MESSAGES - done));
      process.stderr.write(`filled ${done + BATCH} in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    }
    process.stderr.write(`fill: ${MESSAGES} messages in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    raw.exec(
      'create index if not exists search_postings_token on search_postings (token, conversation_id, seq, created_at)',
    );
    // Everything filled is indexed: the marks the background indexer would have left.
    raw.exec(
      'insert into search_progress (conversation_id, indexed_seq) select id, max_seq from conversations where true on conflict (conversation_id) do update set indexed_seq = excluded.indexed_seq',
    );
    process.stderr.write(`token index and marks in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    raw.exec('analyze');
    raw.close();
    store = await openStore(`sqlite:${file}`, { sqliteWriter: 'inline' });
  }
  // (Also after a fill that was cut short: the user's rows are made whenever they are missing.)
  const member = await store.conn.db
    .selectFrom('conversation_members')
    .select('user_id')
    .where('user_id', '=', user)
    .executeTakeFirst();
  if (!member) {
    const at = Date.now();
    // The user: the three largest conversations and random others; a few joined late, two left.
    const mine = new Set(cids.slice(0, 3));
    while (mine.size < MEMBER_OF) mine.add(pick(cids));
    const rows = [...mine].map((cid, i) => ({
      conversation_id: cid,
      user_id: user,
      read_seq: 0,
      muted: 0,
      pinned: 0,
      joined_seq: i % 10 === 5 ? 100 : 0,
      left_seq: i === 7 || i === 17 ? 200 : null,
      updated_at: at,
    }));
    await store.conn.db.deleteFrom('conversation_members').where('user_id', '=', user).execute();
    await store.conn.db.insertInto('conversation_members').values(rows).execute();
    await sql`analyze`.execute(store.conn.db);
  }

  const access = new ConversationAccess(new AuthzCache(store.authz), store.conversations);
  const unlimited = { take: async () => ({ ok: true }) } as unknown as MemoryRateLimiter;
  // With the indexer, as the server runs it: each search first checks its conversations' marks.
  const service = new SearchService(
    { store, limiter: unlimited, clock: systemClock } as unknown as ServiceDeps,
    (u, c) => access.canRead(u, c),
    new SearchIndexer(store.searchIndex, silentLogger),
  );
  const queries = [
    'coffee', // a real word of the vocabulary (frequent)
    'meeting tomorrow', // two words, both must match
    'proj', // a prefix
    'cafe', // accents and case folded
    'strasse',
    VOCAB[4000]!, // a rare word
    'the', // the most common word (exact, 3 letters: prefix)
    '北京', // Chinese bigram
    '咖啡', // Chinese bigram
    '北京工作', // four characters: three bigrams, checked as a substring
    '我', // one character: unigram
    'コーヒー', // Katakana
    '東京', // Kanji
    '한국어', // Korean
    'zzqqxx', // no hit
  ];
  const big = cids[0]!;
  const stats: Record<'all' | 'one', number[]> = { all: [], one: [] };
  const perQuery: { q: string; scope: string; ms: number; hits: number }[] = [];
  for (let round = 0; round < ROUNDS + 1; round++) {
    for (const q of queries) {
      for (const scope of ['all', 'one'] as const) {
        const t = performance.now();
        const r = await service.search(user, { q, conversation: scope === 'one' ? big : undefined, limit: 20 });
        const ms = performance.now() - t;
        if (round === 0) continue; // warm-up
        stats[scope].push(ms);
        perQuery.push({ q, scope, ms, hits: r.items.length });
      }
    }
  }
  const pct = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
  };
  const size = fs.statSync(file).size;
  const postings = await store.conn.db
    .selectFrom('search_postings')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
  console.log(
    `\nmessages ${MESSAGES}, conversations ${CONVS}, member of ${MEMBER_OF}, postings ${postings?.n}, file ${(size / 2 ** 30).toFixed(2)} GiB`,
  );
  console.log('| scope | searches | p50 ms | p95 ms | p99 ms | max ms |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const scope of ['all', 'one'] as const) {
    const xs = stats[scope];
    console.log(
      `| ${scope === 'all' ? 'all my conversations' : 'one conversation (the largest)'} | ${xs.length} | ${pct(xs, 50).toFixed(1)} | ${pct(xs, 95).toFixed(1)} | ${pct(xs, 99).toFixed(1)} | ${Math.max(...xs).toFixed(1)} |`,
    );
  }
  console.log('\n| query | scope | hits (page of 20) | median ms |');
  console.log('| --- | --- | --- | --- |');
  for (const q of queries) {
    for (const scope of ['all', 'one']) {
      const xs = perQuery.filter((p) => p.q === q && p.scope === scope);
      console.log(
        `| \`${q}\` | ${scope} | ${xs[0]?.hits} | ${pct(
          xs.map((x) => x.ms),
          50,
        ).toFixed(1)} |`,
      );
    }
  }
  await store.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
