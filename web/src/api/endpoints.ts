import { del, get, patch, post, put, upload } from './http.js';
import type {
  AuthReply,
  Blocked,
  Body,
  Contact,
  ContactRequest,
  ConversationSummary,
  Entry,
  Friend,
  Group,
  GroupMember,
  GroupRequest,
  GroupRole,
  LoginChallenge,
  Media,
  Member,
  Page,
  PrivateUser,
  PublicUser,
  Reply,
  SessionView,
  UserBrief,
} from './types.js';

/* The REST API, one function per route, typed by the OpenAPI document (types.ts). A listed
   user's own fields are split off the rest (`{user, ...}`) for the screens. */

const brief = ({ id, username, nickname, avatar }: UserBrief): UserBrief => ({ id, username, nickname, avatar });

const contactOf = ({ id, username, nickname, avatar, ...rest }: Friend): Contact => ({
  user: { id, username, nickname, avatar },
  ...rest,
});

const memberOf = ({ id, username, nickname, avatar, ...rest }: GroupMember): Member => ({
  user: { id, username, nickname, avatar },
  ...rest,
});

/** Every page of a cursor-paged list (the server's largest page size, following `next` to the end). */
async function everyPage<T>(path: string, q: Record<string, string> = {}): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await get<Page<T>>(path, { ...q, limit: 200, cursor });
    out.push(...page.items);
    // A cursor that does not move would loop forever; the server never sends one, but be sure.
    cursor = page.next && page.next !== cursor ? page.next : undefined;
  } while (cursor);
  return out;
}

export const auth = {
  register: (b: Omit<Body<'register'>, 'device'>) => post<AuthReply>('/auth/register', { ...b, device: deviceName() }),
  /** 200 a session, or 202 a challenge when the account has two-factor sign-in on. */
  login: (login: string, password: string) =>
    post<AuthReply | LoginChallenge>('/auth/login', { login, password, device: deviceName() }),
  logout: () => post<Reply<'logout'>>('/auth/logout'),
};

export const me = {
  get: () => get<PrivateUser>('/me'),
  update: (b: Body<'updateMe'>) => patch<PrivateUser>('/me', b),
  changePassword: (current: string, password: string) =>
    post<Reply<'changePassword'>>('/me/password', { current, password }),
  sessions: async () => (await get<Page<SessionView>>('/me/sessions')).items,
  limits: () => get<{ recallWindowMs: number }>('/me/limits'),
  revokeSession: (id: string) => del<Reply<'endSession'>>(`/me/sessions/${encodeURIComponent(id)}`),
};

export const users = {
  get: (id: string) => get<PublicUser>(`/users/${encodeURIComponent(id)}`),
  find: async (q: string) => (await get<Page<PublicUser>>('/users', { q })).items,
};

export const contacts = {
  list: async () => (await everyPage<Friend>('/contacts')).map(contactOf),
  requests: (direction: 'in' | 'out') => everyPage<ContactRequest>('/contacts/requests', { direction }),
  request: (userId: string, message?: string) =>
    post<ContactRequest>('/contacts/requests', message ? { userId, message } : { userId }),
  accept: (id: string) => post<Reply<'acceptContactRequest'>>(`/contacts/requests/${id}/accept`),
  decline: (id: string) => post<ContactRequest>(`/contacts/requests/${id}/decline`),
  cancel: (id: string) => del<ContactRequest>(`/contacts/requests/${id}`),
  remark: (userId: string, remark: string) => patch<Friend>(`/contacts/${userId}`, { remark }),
  remove: (userId: string) => del<Reply<'removeContact'>>(`/contacts/${userId}`),
  blocks: async () => (await everyPage<Blocked>('/blocks')).map(brief),
  block: (userId: string) => put<Reply<'blockUser'>>(`/blocks/${userId}`),
  unblock: (userId: string) => del<Reply<'unblockUser'>>(`/blocks/${userId}`),
};

export const groups = {
  mine: async (): Promise<Group[]> => (await get<Reply<'listMyGroups'>>('/groups')).items,
  search: async (q: string): Promise<Group[]> => (await get<Reply<'searchGroups'>>('/groups/search', { q })).items,
  get: (id: string): Promise<Group> => get<Reply<'getGroup'>>(`/groups/${id}`),
  create: (b: { name: string; joinPolicy?: Body<'createGroup'>['joinPolicy']; memberIds?: string[] }): Promise<Group> =>
    post<Reply<'createGroup', 201>>('/groups', {
      name: b.name,
      ...(b.joinPolicy ? { joinPolicy: b.joinPolicy } : {}),
      ...(b.memberIds?.length ? { userIds: b.memberIds } : {}),
    }),
  update: (id: string, b: Body<'updateGroup'>): Promise<Group> => patch<Reply<'updateGroup'>>(`/groups/${id}`, b),
  dissolve: (id: string) => del<Reply<'dissolveGroup'>>(`/groups/${id}`),
  members: async (id: string) => (await everyPage<GroupMember>(`/groups/${id}/members`)).map(memberOf),
  invite: (id: string, userIds: string[]) => post<Reply<'addGroupMembers'>>(`/groups/${id}/members`, { userIds }),
  kick: (id: string, userId: string) => del<Reply<'removeGroupMember'>>(`/groups/${id}/members/${userId}`),
  setMember: (id: string, userId: string, b: { role?: Exclude<GroupRole, 'owner'>; mutedUntil?: number | null }) =>
    patch<GroupMember>(`/groups/${id}/members/${userId}`, b),
  join: (id: string, message?: string) =>
    post<Reply<'joinGroup'> | Reply<'joinGroup', 202>>(`/groups/${id}/join`, message ? { message } : {}),
  leave: (id: string) => post<Reply<'leaveGroup'>>(`/groups/${id}/leave`),
  transfer: (id: string, userId: string) => post<Reply<'transferGroup'>>(`/groups/${id}/transfer`, { userId }),
  requests: (id: string) => everyPage<GroupRequest>(`/groups/${id}/requests`),
  acceptRequest: (id: string, rid: string) => post<GroupRequest>(`/groups/${id}/requests/${rid}/accept`),
  declineRequest: (id: string, rid: string) => post<GroupRequest>(`/groups/${id}/requests/${rid}/decline`),
};

export const conversations = {
  list: async () => (await get<Page<ConversationSummary>>('/conversations')).items,
  // History cursors are seqs as decimal strings (the type `next` has).
  history: async (cid: string, q: { before?: number; after?: number; limit?: number }) =>
    (
      await get<Page<Entry>>(`/conversations/${encodeURIComponent(cid)}/messages`, {
        before: q.before === undefined ? undefined : String(q.before),
        after: q.after === undefined ? undefined : String(q.after),
        limit: q.limit,
      })
    ).items,
  read: (cid: string, seq: number) =>
    post<Reply<'markRead'>>(`/conversations/${encodeURIComponent(cid)}/read`, { seq }),
  settings: (cid: string, b: Body<'updateConversation'>) =>
    patch<ConversationSummary>(`/conversations/${encodeURIComponent(cid)}`, b),
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

export function deviceName(): string {
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

/** Someone else's profile (groups in common) and the navigation badges. */
export const profiles = {
  mutualGroups: (userId: string, cursor?: string): Promise<Page<Group>> =>
    get<Reply<'listMutualGroups'>>(`/users/${encodeURIComponent(userId)}/mutual-groups`, { limit: 50, cursor }),
  badges: () => get<Reply<'getMyBadges'>>('/me/badges'),
};
