/**
 * Text folding and tokenizing for message search, in plain code so SQLite, PostgreSQL and
 * MySQL/MariaDB index and match exactly the same tokens (no dialect full-text engine is used).
 *
 * Folding: NFKD, combining marks dropped (except the kana voicing marks, so が stays が), NFC
 * again (Hangul recomposes), lower case, ß as ss. "Café", "CAFÉ" and "cafe" fold alike.
 *
 * Tokens: a run of letters/digits of other scripts is a word (cut to {@link MAX_WORD} chars in
 * the index); a run of Han/Hiragana/Katakana/Hangul gives every character (unigram) and every
 * adjacent pair (bigram), so any substring of a CJK run is found through its bigrams (or its
 * unigram when it is one character long).
 *
 * Query terms: each word of the query matches a word of the text by prefix when it has at
 * least {@link PREFIX_MIN} characters ("cof" finds "coffee"), else as a whole word; each CJK
 * run must occur as a substring of a CJK run of the text. Every term must match (AND).
 */

export const MAX_WORD = 32;
export const PREFIX_MIN = 3;

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u30fc\u3005]/u;
const WORD = /[\p{L}\p{N}]/u;
// Marks to drop after NFKD: all but U+3099/U+309A (kana voicing), which NFC puts back.
const MARK = /\p{M}/u;
const dropMark = (p: string) => MARK.test(p) && p !== '\u3099' && p !== '\u309a';

/** Folded forms of the non-ASCII characters seen (perf: normalizing per character dominated indexing). */
const folded = new Map<string, string>();

function foldPoint(ch: string): string {
  const c = ch.charCodeAt(0);
  if (c < 0x80) return c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : ch;
  const known = folded.get(ch);
  if (known !== undefined) return known;
  let out = '';
  for (const p of ch.normalize('NFKD')) if (!dropMark(p)) out += p;
  out = out.normalize('NFC').toLowerCase().replace(/ß/g, 'ss');
  if (folded.size < 20_000) folded.set(ch, out);
  return out;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the whole ASCII range is the point.
const ASCII = /^[\x00-\x7f]*$/;

/** The folded form of `text`. */
export function fold(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase();
  let out = '';
  for (const ch of text) out += foldPoint(ch);
  return out;
}

/**
 * The folded form with, for each UTF-16 unit of it, the index in `text` of the character it
 * came from (plus one final entry: `text.length`), so matches in the folded text map back.
 */
export function foldWithMap(text: string): { folded: string; map: number[] } {
  let folded = '';
  const map: number[] = [];
  let i = 0;
  for (const ch of text) {
    const f = foldPoint(ch);
    for (let k = 0; k < f.length; k++) map.push(i);
    folded += f;
    i += ch.length;
  }
  map.push(text.length);
  return { folded, map };
}

/** One run of folded text: a word, or a run of CJK characters (as code points). */
export interface Run {
  cjk: boolean;
  text: string;
  /** Offset of the run in the folded string (UTF-16 units). */
  at: number;
}

/** 0: separator, 1: word character, 2: CJK; per non-ASCII character seen (perf: property regexes are slow). */
const classes = new Map<string, number>();

function classOf(ch: string): number {
  const c = ch.charCodeAt(0);
  if (c < 0x80) return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) ? 1 : 0;
  let k = classes.get(ch);
  if (k === undefined) {
    k = CJK.test(ch) ? 2 : WORD.test(ch) ? 1 : 0;
    if (classes.size < 20_000) classes.set(ch, k);
  }
  return k;
}

/** Splits folded text into word runs and CJK runs; everything else separates. */
export function runs(folded: string): Run[] {
  if (ASCII.test(folded)) {
    // perf: most messages are ASCII; one regex pass instead of a walk per character.
    return Array.from(folded.matchAll(/[a-zA-Z0-9]+/g), (m) => ({ cjk: false, text: m[0], at: m.index }));
  }
  const out: Run[] = [];
  let cur: Run | undefined;
  let i = 0;
  for (const ch of folded) {
    const k = classOf(ch);
    const cjk = k === 2;
    const word = k === 1;
    if (!cjk && !word) cur = undefined;
    else if (cur && cur.cjk === cjk) cur.text += ch;
    else {
      cur = { cjk, text: ch, at: i };
      out.push(cur);
    }
    i += ch.length;
  }
  return out;
}

const cut = (w: string) => (w.length > MAX_WORD ? [...w].slice(0, MAX_WORD).join('') : w);

/** The distinct index tokens of a message text. */
export function indexTokens(text: string): string[] {
  const set = new Set<string>();
  for (const r of runs(fold(text))) {
    if (!r.cjk) {
      set.add(cut(r.text));
      continue;
    }
    const cps = [...r.text];
    for (let k = 0; k < cps.length; k++) {
      set.add(cps[k]!);
      if (k + 1 < cps.length) set.add(cps[k]! + cps[k + 1]!);
    }
  }
  return [...set];
}

/** One lookup in the postings: a token equal to `token`, or starting with it (`prefix`). */
export interface TokenCond {
  token: string;
  prefix: boolean;
}

export interface ParsedQuery {
  /** The query's terms, folded: what every hit must contain. */
  terms: Run[];
  /** The index lookups that together select candidates (a hit has all of them). */
  conds: TokenCond[];
}

/** At most this many lookups go to the database; the check against the text covers the rest. */
const MAX_CONDS = 6;

/** Parses a query; `undefined` when it has no searchable term (only punctuation/space). */
export function parseQuery(q: string): ParsedQuery | undefined {
  const terms = runs(fold(q));
  if (terms.length === 0) return undefined;
  const conds = new Map<string, TokenCond>();
  for (const t of terms) {
    if (!t.cjk) {
      const len = [...t.text].length;
      const token = cut(t.text);
      // A word longer than the indexed cut can only be matched through its cut prefix.
      conds.set(token, { token, prefix: len >= PREFIX_MIN || len > MAX_WORD });
      continue;
    }
    const cps = [...t.text];
    if (cps.length === 1) conds.set(cps[0]!, { token: cps[0]!, prefix: false });
    for (let k = 0; k + 1 < cps.length; k++) {
      const token = cps[k]! + cps[k + 1]!;
      conds.set(token, { token, prefix: false });
    }
  }
  // Exact lookups first (they select fewer rows), longer tokens before shorter ones.
  const ordered = [...conds.values()].sort(
    (a, b) => Number(a.prefix) - Number(b.prefix) || b.token.length - a.token.length || (a.token < b.token ? -1 : 1),
  );
  return { terms, conds: ordered.slice(0, MAX_CONDS) };
}

/**
 * Where each term of `query` occurs in `text`, as `[start, end)` ranges of `text` (UTF-16
 * offsets, sorted, merged), or `undefined` when some term does not occur: the exact check that
 * drops candidates the index only approximates (bigrams found apart, words cut in the index).
 */
export function matchRanges(text: string, query: ParsedQuery): [number, number][] | undefined {
  const { folded, map } = foldWithMap(text);
  const textRuns = runs(folded);
  const found: [number, number][] = [];
  for (const term of query.terms) {
    let hit = false;
    for (const r of textRuns) {
      if (r.cjk !== term.cjk) continue;
      if (!term.cjk) {
        const ok = [...term.text].length >= PREFIX_MIN ? r.text.startsWith(term.text) : r.text === term.text;
        if (!ok) continue;
        hit = true;
        found.push([map[r.at]!, map[r.at + term.text.length]!]);
        continue;
      }
      for (let from = 0; ; ) {
        const k = r.text.indexOf(term.text, from);
        if (k < 0) break;
        hit = true;
        found.push([map[r.at + k]!, map[r.at + k + term.text.length]!]);
        from = k + term.text.length;
      }
    }
    if (!hit) return undefined;
  }
  found.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: [number, number][] = [];
  for (const [s, e] of found) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

/** Snippet around the first match: at most `width` characters of `text`, ranges shifted into it. */
export function snippet(
  text: string,
  ranges: [number, number][],
  width = 160,
): { text: string; highlights: [number, number][] } {
  if (text.length <= width) return { text, highlights: ranges };
  const first = ranges[0] ?? [0, 0];
  let start = Math.max(0, first[0] - Math.floor(width / 4));
  // Never cut a surrogate pair in two.
  if (start > 0 && /[\udc00-\udfff]/.test(text[start]!)) start--;
  let end = Math.min(text.length, start + width);
  if (end < text.length && /[\udc00-\udfff]/.test(text[end]!)) end++;
  const prefix = start > 0 ? '…' : '';
  const suffix = end < text.length ? '…' : '';
  const shift = prefix.length - start;
  const highlights = ranges
    .filter(([s, e]) => s >= start && e <= end)
    .map(([s, e]) => [s + shift, e + shift] as [number, number]);
  return { text: prefix + text.slice(start, end) + suffix, highlights };
}
