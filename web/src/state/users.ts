import { useEffect } from 'preact/hooks';
import { media, users } from '../api/endpoints.js';
import type { UserBrief } from '../api/types.js';
import { app, rememberUsers } from './app.js';
import { useStore } from './store.js';

const inflight = new Set<string>();

/** A user's public profile from the cache, fetched once when missing. */
export function useUser(id: string | null | undefined): UserBrief | undefined {
  const u = useStore(app, (s) => (id ? s.users[id] : undefined));
  useEffect(() => {
    if (!id || u || inflight.has(id)) return;
    inflight.add(id);
    users
      .get(id)
      .then(
        (x) => rememberUsers([x]),
        () => {},
      )
      .finally(() => inflight.delete(id));
  }, [id, u]);
  return u;
}

/** Fetches (once each) the profiles of these users that the cache does not hold yet. */
export function ensureUsers(ids: Iterable<string>) {
  const known = app.get().users;
  for (const id of ids) {
    if (!id || known[id] || inflight.has(id)) continue;
    inflight.add(id);
    users
      .get(id)
      .then(
        (x) => rememberUsers([x]),
        () => {},
      )
      .finally(() => inflight.delete(id));
  }
}

/** The name I see for a user: my remark for them, else their nickname. */
export function displayName(u: UserBrief | undefined, remark?: string): string {
  if (remark) return remark;
  return u?.nickname || u?.username || '…';
}

const urls = new Map<string, { url: string; at: number }>();
const waiting = new Map<string, Promise<string | undefined>>();
const URL_TTL = 30 * 60_000;

/** A fresh signed URL for a media id (avatars): thumbnail when there is one. */
export function mediaUrl(id: string): Promise<string | undefined> {
  const hit = urls.get(id);
  if (hit && Date.now() - hit.at < URL_TTL) return Promise.resolve(hit.url);
  let p = waiting.get(id);
  if (!p) {
    p = media
      .get(id)
      .then(
        (m) => {
          const url = m.thumbUrl ?? m.url;
          if (url) urls.set(id, { url, at: Date.now() });
          return url;
        },
        () => undefined,
      )
      .finally(() => waiting.delete(id));
    waiting.set(id, p);
  }
  return p;
}

export function cachedMediaUrl(id: string): string | undefined {
  return urls.get(id)?.url;
}
