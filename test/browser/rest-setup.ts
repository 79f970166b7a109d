import { expect } from 'vitest';
import { type ApiClient, registerUser } from '../support/server.js';

/* Scenario set-up over REST (the screens under test are driven in the browser; getting there is not). */

export type RestUser = Awaited<ReturnType<typeof registerUser>>;
const V = '/api/v1';

export function user(api: ApiClient, nickname: string, extra: Record<string, unknown> = {}): Promise<RestUser> {
  return registerUser(api, nickname.toLowerCase(), { nickname, ...extra });
}

export async function befriend(api: ApiClient, a: RestUser, b: RestUser) {
  const r = await api.post(`${V}/contacts/requests`, { userId: b.user.id }, a.token);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect((await api.post(`${V}/contacts/requests/${r.body.id}/accept`, {}, b.token)).status).toBe(200);
}

/** A group owned by `owner` with these friends of theirs in it. */
export async function group(
  api: ApiClient,
  owner: RestUser,
  name: string,
  members: RestUser[],
  joinPolicy: 'open' | 'approval' | 'invite' = 'invite',
): Promise<{ id: string; conversation: string }> {
  const r = await api.post(
    `${V}/groups`,
    { name, joinPolicy, ...(members.length ? { userIds: members.map((m) => m.user.id) } : {}) },
    owner.token,
  );
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

let n = 0;
export async function say(api: ApiClient, u: RestUser, cid: string, text: string) {
  const r = await api.post(
    `${V}/conversations/${encodeURIComponent(cid)}/messages`,
    { clientId: `rest-${Date.now().toString(36)}-${n++}`, kind: 'text', text },
    u.token,
  );
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

export const dm = (a: RestUser, b: RestUser) =>
  a.user.id < b.user.id ? `dm:${a.user.id}:${b.user.id}` : `dm:${b.user.id}:${a.user.id}`;
