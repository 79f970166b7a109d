import { useEffect } from 'preact/hooks';
import { profiles } from '../api/endpoints.js';
import { app } from './app.js';
import { Store, useStore } from './store.js';

/** The counts on the navigation items, as the server counts them (`GET /me/badges`). */
export interface Badges {
  contactRequests: number;
  joinRequests: number;
}

const none: Badges = { contactRequests: 0, joinRequests: 0 };
export const badges = new Store<Badges>(none);

let asked = 0;
/** Asks the server again; a slower earlier answer never overwrites a later one. */
export function refreshBadges() {
  const n = ++asked;
  profiles.badges().then(
    (b) => {
      if (n !== asked) return;
      const cur = badges.get();
      if (cur.contactRequests !== b.contactRequests || cur.joinRequests !== b.joinRequests) badges.set(b);
    },
    () => {},
  );
}

export function resetBadges() {
  asked++;
  badges.set(none);
}

/**
 * The badge counts, kept current: fetched when the live connection is (again) up and on every
 * account event (a friend or join request arriving, answered, withdrawn: `socialVersion`).
 */
export function useBadges(): Badges {
  const version = useStore(app, (s) => s.socialVersion);
  const online = useStore(app, (s) => s.conn === 'online');
  // Only while connected: events missed meanwhile come with the reconnect (which refetches), and
  // a sign-out (the connection stops) must not ask with the session it just ended.
  useEffect(() => {
    if (online) refreshBadges();
  }, [version, online]);
  return useStore(badges, (b) => b);
}

/** "Contacts, 2 requests": a navigation item's name with its count, for screen readers. */
export function withCount(label: string, n: number, one: string, many: string): string {
  return n > 0 ? `${label}, ${n} ${n === 1 ? one : many}` : label;
}
