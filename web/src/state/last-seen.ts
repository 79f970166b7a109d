import { useEffect } from 'preact/hooks';
import { lastSeen as api } from '../api/invites.js';
import { Store, useStore } from './store.js';

/**
 * Last seen times I may see, by user id (null: hidden from me, or never recorded). Filled from
 * the friends list, offline presence frames and, for a header that needs one, a fetch.
 */
export const lastSeenStore = new Store<Record<string, number | null>>({});

export function setLastSeen(userId: string, at: number | null) {
  lastSeenStore.set((s) => (s[userId] === at ? s : { ...s, [userId]: at }));
}

const asked = new Set<string>();

/** A user's last seen time, fetched once when not known yet. */
export function useLastSeen(userId: string | undefined): number | null | undefined {
  const at = useStore(lastSeenStore, (s) => (userId ? s[userId] : undefined));
  useEffect(() => {
    if (!userId || at !== undefined || asked.has(userId)) return;
    asked.add(userId);
    api.get(userId).then(
      (r) => setLastSeen(userId, r.lastSeenAt),
      () => asked.delete(userId),
    );
  }, [userId, at]);
  return at;
}

/** "last seen just now / 5 min ago / 3 h ago / yesterday / on 2 Mar" */
export function lastSeenText(at: number, now = Date.now()): string {
  const min = Math.floor(Math.max(0, now - at) / 60_000);
  if (min < 1) return 'last seen just now';
  if (min < 60) return `last seen ${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 24) return `last seen ${h} h ago`;
  if (h < 48) return 'last seen yesterday';
  const d = new Date(at);
  return `last seen on ${d.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })}`;
}
