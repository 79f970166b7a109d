import { useEffect, useRef, useState } from 'preact/hooks';
import { app } from './app.js';
import { Store, useStore } from './store.js';

/**
 * What the user has typed but not sent, per conversation. Kept per user in localStorage
 * (`parley.drafts.<userId>`), so a draft survives switching chats and reloading; sending clears
 * it, and signing out on purpose forgets all of them.
 */
interface Drafts {
  /** Whose drafts are loaded (they follow the signed-in user). */
  user?: string;
  map: Record<string, string>;
}

/** A draft longer than this is still typed and sent, just not kept (storage is small). */
const MAX_KEPT = 20_000;

export const draftStore = new Store<Drafts>({ map: {} });

const keyOf = (user: string) => `parley.drafts.${user}`;

function load(user: string): Record<string, string> {
  try {
    const raw = JSON.parse(localStorage.getItem(keyOf(user)) ?? '{}') as unknown;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
    return Object.fromEntries(
      Object.entries(raw as Record<string, unknown>).filter(
        (e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '',
      ),
    );
  } catch {
    return {};
  }
}

/** The signed-in user's drafts, loaded from storage the first time they are asked for. */
function current(): Drafts {
  const user = app.get().me?.id;
  const d = draftStore.get();
  if (d.user === user) return d;
  const next = { user, map: user ? load(user) : {} };
  draftStore.set(next);
  return next;
}

export const drafts = {
  get(cid: string): string {
    return current().map[cid] ?? '';
  },
  set(cid: string, text: string) {
    const d = current();
    if (!d.user || (d.map[cid] ?? '') === text) return;
    const map = { ...d.map };
    if (text.trim() && text.length <= MAX_KEPT) map[cid] = text;
    else delete map[cid];
    draftStore.set({ user: d.user, map });
    try {
      if (Object.keys(map).length) localStorage.setItem(keyOf(d.user), JSON.stringify(map));
      else localStorage.removeItem(keyOf(d.user));
    } catch {
      /* storage full or refused: the draft lives while the page does */
    }
  },
  /** Signing out on purpose: this device keeps nothing the user typed. */
  forget() {
    const user = app.get().me?.id ?? draftStore.get().user;
    if (user)
      try {
        localStorage.removeItem(keyOf(user));
      } catch {
        /* nothing kept */
      }
    draftStore.set({ map: {} });
  },
};

/** The draft of one conversation, for the chat list ("Draft: …"). */
export function useDraftText(cid: string): string {
  useStore(app, (s) => s.me?.id);
  return useStore(draftStore, () => drafts.get(cid));
}

/**
 * The composer's text, backed by the conversation's draft. While `paused` (editing a sent
 * message) the text is the edit and the draft is left alone; when the edit ends the draft
 * comes back.
 */
export function useDraft(cid: string, paused: boolean): [string, (v: string) => void] {
  const [text, setText] = useState(() => drafts.get(cid));
  const pausedNow = useRef(paused);
  pausedNow.current = paused;
  const wasPaused = useRef(paused);
  useEffect(() => {
    if (wasPaused.current && !paused) setText(drafts.get(cid));
    wasPaused.current = paused;
  }, [paused, cid]);
  const set = (v: string) => {
    setText(v);
    if (!pausedNow.current) drafts.set(cid, v);
  };
  return [text, set];
}
