/**
 * Where the session token lives: script-held storage (see docs/security.md, "Web session").
 * localStorage so a reload (and a second tab) keeps the session; the token only ever travels
 * in an Authorization header or the socket's first `auth` frame, never in a URL.
 */
const KEY = 'parley.session';

export interface StoredSession {
  token: string;
  userId: string;
}

function read(): StoredSession | undefined {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return undefined;
    const s = JSON.parse(raw) as Partial<StoredSession>;
    return typeof s.token === 'string' && typeof s.userId === 'string' ? (s as StoredSession) : undefined;
  } catch {
    return undefined;
  }
}

export const session = {
  get: read,
  token: () => read()?.token,
  save(s: StoredSession) {
    localStorage.setItem(KEY, JSON.stringify(s));
  },
  clear() {
    localStorage.removeItem(KEY);
  },
};
