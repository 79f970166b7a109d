import { useEffect, useState } from 'preact/hooks';

/** The app's screens, addressed by path (the server answers index.html for each of them). */
export type Route =
  | { name: 'login' }
  | { name: 'register' }
  | { name: 'chats'; cid?: string }
  | { name: 'contacts' }
  | { name: 'groups'; id?: string }
  | { name: 'profile' }
  /** Someone else's profile. */
  | { name: 'person'; id: string };

export function parse(path: string): Route {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  switch (parts[0]) {
    case 'login':
      return { name: 'login' };
    case 'register':
      return { name: 'register' };
    case 'chat':
      return parts[1] ? { name: 'chats', cid: parts[1] } : { name: 'chats' };
    case 'contacts':
      return { name: 'contacts' };
    case 'groups':
      return parts[1] ? { name: 'groups', id: parts[1] } : { name: 'groups' };
    case 'profile':
      return { name: 'profile' };
    case 'people':
      return parts[1] ? { name: 'person', id: parts[1] } : { name: 'contacts' };
    default:
      return { name: 'chats' };
  }
}

export function href(r: Route): string {
  switch (r.name) {
    case 'chats':
      return r.cid ? `/chat/${encodeURIComponent(r.cid)}` : '/';
    case 'groups':
      return r.id ? `/groups/${encodeURIComponent(r.id)}` : '/groups';
    case 'person':
      return `/people/${encodeURIComponent(r.id)}`;
    default:
      return `/${r.name}`;
  }
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

export function navigate(r: Route | string, replace = false) {
  const url = typeof r === 'string' ? r : href(r);
  if (url === location.pathname) return;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  listeners.forEach((l) => l());
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(location.pathname));
  useEffect(() => {
    const l = () => setRoute(parse(location.pathname));
    listeners.add(l);
    return () => listeners.delete(l);
  }, []);
  return route;
}

/** A one-time link's code carried in the fragment (`#/reset/<code>`, `#/verify-email/<code>`). */
export interface FragmentLink {
  kind: 'reset' | 'verify-email';
  code: string;
}

/**
 * Reads a reset or verification link from the address and removes it from the address bar (and so
 * from history) at once: the code is a password-equivalent that must not linger on screen.
 */
export function takeFragmentLink(): FragmentLink | undefined {
  const m = /^#\/(reset|verify-email)(?:\/([^/?#]{0,64}))?\/?$/.exec(location.hash);
  if (!m) return undefined;
  history.replaceState(history.state, '', location.pathname + location.search);
  return { kind: m[1] as FragmentLink['kind'], code: m[2] ?? '' };
}
