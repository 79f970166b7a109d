import { del, get, patch, post, put, upload } from './http.js';
import type {
  AuthReply,
  Contact,
  ContactRequest,
  ConversationSummary,
  Entry,
  Group,
  GroupRequest,
  GroupRole,
  Media,
  Member,
  Page,
  PrivateUser,
  PublicUser,
  SessionView,
} from './types.js';

/* The REST API, one function per route. Replies pass through small normalizers so a screen
   never has to know whether a list embeds the user object or only its id. */

// biome-ignore lint/suspicious/noExplicitAny: raw JSON replies, narrowed by each endpoint's mapper.
type Raw = Record<string, any>;

const userOf = (x: Raw | undefined, idKey?: string): PublicUser => {
  const u = (x && typeof x === 'object' ? x : {}) as Raw;
  return {
    id: String(u.id ?? (idKey ? u[idKey] : '') ?? ''),
    username: String(u.username ?? ''),
    nickname: String(u.nickname ?? u.username ?? ''),
    avatar: (u.avatar as string | null) ?? null,
    gender: String(u.gender ?? 'unspecified'),
    bio: String(u.bio ?? ''),
  };
};

const contactOf = (x: Raw): Contact => ({
  user: x.user ? userOf(x.user) : userOf(x, 'userId'),
  remark: String(x.remark ?? ''),
  createdAt: x.createdAt,
  online: x.online,
});

const side = (x: Raw, key: 'from' | 'to'): PublicUser => {
  const v = x[key] ?? x[`${key}User`];
  if (v && typeof v === 'object') return userOf(v);
  const id = String(v ?? x[`${key}Id`] ?? '');
  return { ...userOf(x.user ?? {}), id: x.user?.id === id ? id : id };
};

const requestOf = (x: Raw): ContactRequest => ({
  id: String(x.id),
  from: side(x, 'from'),
  to: side(x, 'to'),
  message: String(x.message ?? ''),
  status: String(x.status ?? 'pending'),
  createdAt: Number(x.createdAt ?? 0),
});

const groupOf = (x: Raw): Group => ({
  id: String(x.id),
  name: String(x.name ?? ''),
  avatar: x.avatar ?? null,
  notice: String(x.notice ?? ''),
  ownerId: String(x.ownerId ?? x.owner ?? ''),
  joinPolicy: x.joinPolicy ?? 'open',
  memberCount: Number(x.memberCount ?? x.members ?? 0),
  createdAt: x.createdAt,
  role: x.role ?? x.myRole,
});

const memberOf = (x: Raw): Member => ({
  user: x.user ? userOf(x.user) : userOf(x, 'userId'),
  role: (x.role ?? 'member') as GroupRole,
  mutedUntil: x.mutedUntil ?? null,
  joinedAt: x.joinedAt,
});

const groupRequestOf = (x: Raw): GroupRequest => ({
  id: String(x.id),
  groupId: String(x.groupId ?? ''),
  user: x.user ? userOf(x.user) : userOf({ id: x.userId }),
  message: String(x.message ?? ''),
  status: String(x.status ?? 'pending'),
  createdAt: Number(x.createdAt ?? 0),
});

const items = <T>(p: Page<Raw> | Raw[] | undefined, f: (x: Raw) => T): T[] =>
  (Array.isArray(p) ? p : (p?.items ?? [])).map(f);

/** Every page of a cursor-paged list (the server's largest page size, following `next` to the end). */
async function everyPage<T>(path: string, f: (x: Raw) => T, q: Record<string, string> = {}): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await get<Page<Raw>>(path, { ...q, limit: 200, cursor });
    out.push(...items(page, f));
    // A cursor that does not move would loop forever; the server never sends one, but be sure.
    cursor = page.next && page.next !== cursor ? page.next : undefined;
  } while (cursor);
  return out;
}

export const auth = {
  register: (b: { username: string; password: string; nickname: string; mobile?: string }) =>
    post<AuthReply>('/auth/register', { ...b, device: deviceName() }),
  login: (login: string, password: string) => post<AuthReply>('/auth/login', { login, password, device: deviceName() }),
  logout: () => post<{ ok: true }>('/auth/logout'),
};

export const me = {
  get: () => get<PrivateUser>('/me'),
  update: (
    b: Partial<{ nickname: string; bio: string; avatar: string | null; gender: string; mobile: string | null }>,
  ) => patch<PrivateUser>('/me', b),
  changePassword: (current: string, password: string) => post<{ ok: true }>('/me/password', { current, password }),
  sessions: async () => (await get<Page<SessionView>>('/me/sessions')).items,
  limits: () => get<{ recallWindowMs: number }>('/me/limits'),
  revokeSession: (id: string) => del<{ ok: true }>(`/me/sessions/${encodeURIComponent(id)}`),
};

export const users = {
  get: async (id: string) => userOf(await get<Raw>(`/users/${encodeURIComponent(id)}`)),
  find: async (q: string) => items(await get<Page<Raw>>('/users', { q }), (x) => userOf(x)),
};

export const contacts = {
  list: () => everyPage('/contacts', contactOf),
  requests: (direction: 'in' | 'out') => everyPage('/contacts/requests', requestOf, { direction }),
  request: (userId: string, message?: string) =>
    post<Raw>('/contacts/requests', message ? { userId, message } : { userId }),
  accept: (id: string) => post<Raw>(`/contacts/requests/${id}/accept`),
  decline: (id: string) => post<Raw>(`/contacts/requests/${id}/decline`),
  cancel: (id: string) => del<Raw>(`/contacts/requests/${id}`),
  remark: (userId: string, remark: string) => patch<Raw>(`/contacts/${userId}`, { remark }),
  remove: (userId: string) => del<Raw>(`/contacts/${userId}`),
  blocks: () => everyPage('/blocks', (x) => (x.user ? userOf(x.user) : userOf(x, 'userId'))),
  block: (userId: string) => put<Raw>(`/blocks/${userId}`),
  unblock: (userId: string) => del<Raw>(`/blocks/${userId}`),
};

export const groups = {
  mine: async () => items(await get<Page<Raw>>('/groups'), groupOf),
  search: async (q: string) => items(await get<Page<Raw>>('/groups/search', { q }), groupOf),
  get: async (id: string) => groupOf(await get<Raw>(`/groups/${id}`)),
  create: async (b: { name: string; joinPolicy?: string; memberIds?: string[] }) =>
    groupOf(
      await post<Raw>('/groups', {
        name: b.name,
        ...(b.joinPolicy ? { joinPolicy: b.joinPolicy } : {}),
        ...(b.memberIds?.length ? { userIds: b.memberIds } : {}),
      }),
    ),
  update: async (id: string, b: Partial<{ name: string; notice: string; joinPolicy: string; avatar: string | null }>) =>
    groupOf(await patch<Raw>(`/groups/${id}`, b)),
  dissolve: (id: string) => del<Raw>(`/groups/${id}`),
  members: (id: string) => everyPage(`/groups/${id}/members`, memberOf),
  invite: (id: string, userIds: string[]) => post<Raw>(`/groups/${id}/members`, { userIds }),
  kick: (id: string, userId: string) => del<Raw>(`/groups/${id}/members/${userId}`),
  setMember: (id: string, userId: string, b: { role?: GroupRole; mutedUntil?: number | null }) =>
    patch<Raw>(`/groups/${id}/members/${userId}`, b),
  join: (id: string, message?: string) => post<Raw>(`/groups/${id}/join`, message ? { message } : {}),
  leave: (id: string) => post<Raw>(`/groups/${id}/leave`),
  transfer: (id: string, userId: string) => post<Raw>(`/groups/${id}/transfer`, { userId }),
  requests: (id: string) => everyPage(`/groups/${id}/requests`, groupRequestOf),
  acceptRequest: (id: string, rid: string) => post<Raw>(`/groups/${id}/requests/${rid}/accept`),
  declineRequest: (id: string, rid: string) => post<Raw>(`/groups/${id}/requests/${rid}/decline`),
};

export const conversations = {
  list: async () => (await get<Page<ConversationSummary>>('/conversations')).items,
  history: async (cid: string, q: { before?: number; after?: number; limit?: number }) =>
    (await get<Page<Entry>>(`/conversations/${encodeURIComponent(cid)}/messages`, q)).items,
  read: (cid: string, seq: number) => post<Raw>(`/conversations/${encodeURIComponent(cid)}/read`, { seq }),
  settings: (cid: string, b: { muted?: boolean; pinned?: boolean }) =>
    patch<Raw>(`/conversations/${encodeURIComponent(cid)}`, b),
};

export const media = {
  upload: (file: Blob, name: string, onProgress?: (f: number) => void, durationMs?: number, poster?: Blob) =>
    upload<Media>(
      '/media',
      file,
      name,
      onProgress,
      durationMs !== undefined ? { durationMs: String(Math.round(durationMs)) } : {},
      poster ? { poster } : {},
    ),
  get: (id: string) => get<Media>(`/media/${encodeURIComponent(id)}`),
};

function deviceName(): string {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Chrome\//.test(ua)
      ? 'Chrome'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /Safari\//.test(ua)
          ? 'Safari'
          : 'Browser';
  const os = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad/.test(ua)
      ? 'iOS'
      : /Mac OS X/.test(ua)
        ? 'macOS'
        : /Windows/.test(ua)
          ? 'Windows'
          : /Linux/.test(ua)
            ? 'Linux'
            : '';
  return `${browser}${os ? ` on ${os}` : ''} (web)`;
}
