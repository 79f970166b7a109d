/** Message search replies (`GET /api/v1/search`), shared by the server and clients. */

/**
 * Part of a message text around the matches. `highlights` are `[start, end)` offsets into
 * `text` in UTF-16 code units, sorted and disjoint: clients render them as marked spans, never
 * as markup (the text is shown as text).
 */
export interface SearchSnippet {
  text: string;
  highlights: [number, number][];
}

/** One message that matches a search, as its reader may see it now (latest edit). */
export interface SearchHit {
  conversation: string;
  seq: number;
  id: string;
  sender: string | null;
  kind: string;
  /** When it was sent (epoch ms). */
  ts: number;
  editedAt?: number;
  snippet: SearchSnippet;
}

/** A page of hits, newest first; `next` continues (it may come with fewer than `limit` items). */
export interface SearchPage {
  items: SearchHit[];
  next?: string;
}
