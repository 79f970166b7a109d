import { useEffect, useRef, useState } from 'preact/hooks';
import { humanReason } from '../../api/error-text.js';
import { type SearchHit, searchMessages } from '../../api/search.js';
import { listStamp } from '../../format.js';
import { navigate } from '../../router.js';
import { app } from '../../state/app.js';
import { requestJump } from '../../state/jump.js';
import { useStore } from '../../state/store.js';
import { useUser } from '../../state/users.js';
import { IconX, IconSearch } from '../icons.js';
import { useConversationMeta } from './conversation-meta.js';
import '../../styles/search.css';

/** The server refuses queries without a term of 2+ characters (or a CJK character); don't ask. */
const searchable = (q: string) =>
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[\p{L}\p{N}]{2}/u.test(q);

interface Results {
  items: SearchHit[];
  next?: string;
  loading: boolean;
  error?: string;
}

/** Hits for `q` (debounced), newest first, with `more()` for the next page. */
function useMessageSearch(q: string, conversation?: string) {
  const [r, setR] = useState<Results>({ items: [], loading: false });
  const gen = useRef(0);
  const query = q.trim();
  useEffect(() => {
    const mine = ++gen.current;
    if (!searchable(query)) {
      setR({ items: [], loading: false });
      return;
    }
    setR((s) => ({ ...s, loading: true, error: undefined }));
    const t = setTimeout(() => {
      searchMessages({ q: query, conversation, limit: 20 }).then(
        (p) => mine === gen.current && setR({ items: p.items, next: p.next, loading: false }),
        (e) => mine === gen.current && setR({ items: [], loading: false, error: humanReason(e) }),
      );
    }, 250);
    return () => clearTimeout(t);
  }, [query, conversation]);
  const more = () => {
    if (!r.next || r.loading) return;
    const mine = gen.current;
    setR((s) => ({ ...s, loading: true }));
    searchMessages({ q: query, conversation, cursor: r.next, limit: 20 }).then(
      (p) => mine === gen.current && setR((s) => ({ items: [...s.items, ...p.items], next: p.next, loading: false })),
      (e) => mine === gen.current && setR((s) => ({ ...s, loading: false, error: humanReason(e) })),
    );
  };
  return { ...r, active: searchable(query), more };
}

/** A snippet with its matches marked; the text stays text (ranges, never markup from the server). */
export function Highlighted({ text, highlights }: SearchHit['snippet']) {
  const parts: preact.JSX.Element[] = [];
  let at = 0;
  for (const [s = 0, e = 0] of highlights) {
    if (s < at || e > text.length || e <= s) continue;
    if (s > at) parts.push(<span key={`t${at}`}>{text.slice(at, s)}</span>);
    parts.push(<mark key={`m${s}`}>{text.slice(s, e)}</mark>);
    at = e;
  }
  if (at < text.length) parts.push(<span key={`t${at}`}>{text.slice(at)}</span>);
  return <span class="hit-snippet">{parts}</span>;
}

function Hit({ hit, showConversation, onOpen }: { hit: SearchHit; showConversation: boolean; onOpen: () => void }) {
  const summary = useStore(app, (s) => s.conversations[hit.conversation]);
  const meta = useConversationMeta(hit.conversation, summary);
  const me = useStore(app, (s) => s.me?.id);
  const sender = useUser(hit.sender && hit.sender !== me ? hit.sender : undefined);
  const who = hit.sender === me ? 'You' : (sender?.nickname ?? '');
  return (
    <li class="hit">
      <button
        type="button"
        class="hit-btn"
        data-cid={hit.conversation}
        data-seq={hit.seq}
        onClick={() => {
          requestJump(hit.conversation, hit.seq);
          navigate({ name: 'chats', cid: hit.conversation });
          onOpen();
        }}
      >
        <span class="hit-top">
          <span class="hit-title">{showConversation ? meta.title : who}</span>
          <span class="hit-time">{listStamp(hit.ts)}</span>
        </span>
        <span class="hit-text">
          {showConversation && who && meta.kind === 'group' ? `${who}: ` : ''}
          <Highlighted {...hit.snippet} />
        </span>
      </button>
    </li>
  );
}

/** Message hits for a query: across all my chats, or within `conversation`. */
export function SearchResults({
  q,
  conversation,
  onOpen = () => {},
}: {
  q: string;
  conversation?: string;
  onOpen?: () => void;
}) {
  const r = useMessageSearch(q, conversation);
  if (!r.active) return null;
  return (
    <section class="search-results" aria-label="Message results">
      <h2 class="search-head">Messages</h2>
      {r.error && <p class="muted search-note">{r.error}</p>}
      {!r.error && !r.loading && r.items.length === 0 && <p class="muted search-note">No messages found</p>}
      <ul class="hit-list" aria-label="Search results">
        {r.items.map((h) => (
          <Hit key={`${h.conversation}:${h.seq}`} hit={h} showConversation={!conversation} onOpen={onOpen} />
        ))}
      </ul>
      {r.loading && <span class="spinner small" role="status" aria-label="Searching" />}
      {r.next && !r.loading && (
        <button type="button" class="btn ghost search-more" onClick={r.more}>
          More results
        </button>
      )}
    </section>
  );
}

/** The search bar of an open chat: its own query, hits of this conversation only. */
export function ChatSearch({ cid, onClose }: { cid: string; onClose: () => void }) {
  const [q, setQ] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  return (
    <div class="chat-search">
      <div class="chat-search-bar">
        <IconSearch size={18} />
        <input
          ref={input}
          type="search"
          placeholder="Search in this chat"
          aria-label="Search in this chat"
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
          onKeyDown={(e) => e.key === 'Escape' && onClose()}
        />
        <button type="button" class="icon-btn" aria-label="Close search" onClick={onClose}>
          <IconX size={18} />
        </button>
      </div>
      <SearchResults q={q} conversation={cid} onOpen={onClose} />
    </div>
  );
}
