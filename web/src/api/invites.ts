import { del, get, post } from './http.js';
import type { Body, Page, Reply } from './types.js';
import type { components } from './openapi.js';

/* Invite links and last seen: their routes, apart from endpoints.ts so the features stay in their files. */

export type Invite = components['schemas']['Invite'];
export type InvitePreview = components['schemas']['InvitePreview'];
export type LastSeen = components['schemas']['LastSeen'];

export const invites = {
  list: async (groupId: string) => (await get<Page<Invite>>(`/groups/${groupId}/invites`, { limit: 200 })).items,
  create: (groupId: string, b: Body<'createGroupInvite'>) =>
    post<Reply<'createGroupInvite', 201>>(`/groups/${groupId}/invites`, b),
  revoke: (groupId: string, id: string) => del<Invite>(`/groups/${groupId}/invites/${id}`),
  // The code goes in the body: never in a URL the server or a proxy would log.
  preview: (code: string) => post<InvitePreview>('/invites/preview', { code }),
  join: (code: string) => post<Reply<'joinByInvite'> | Reply<'joinByInvite', 202>>('/invites/join', { code }),
};

export const lastSeen = {
  get: (userId: string) => get<LastSeen>(`/users/${encodeURIComponent(userId)}/last-seen`),
};

/** The shareable link of a code: in the fragment, which browsers never send to a server. */
export const inviteLink = (code: string) => `${location.origin}/#/invite/${code}`;

/** The code of an invite link's fragment (`#/invite/<code>`), if that is what the fragment holds. */
export function inviteCodeOf(hash: string): string | undefined {
  const m = /^#\/invite\/([A-Za-z0-9_-]{16,64})$/.exec(hash);
  return m?.[1];
}
