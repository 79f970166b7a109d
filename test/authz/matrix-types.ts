import { expect } from 'vitest';
import type { ApiClient, TestServer } from '../support/server.js';
import { registerUser } from '../support/server.js';

/**
 * The authorization matrix: one entry per registered /api/v1 route (keyed `METHOD /url` exactly
 * as Fastify registered it). Each entry builds its own scenario and lists the calls to make:
 * who acts, the expected status, and (optionally) a check on the body. The runner adds the
 * "no token" case to every non-public route, asserts every 4xx body is an error and nothing
 * else, and that no scenario secret appears in any refused reply. Put entries for your routes
 * in a `routes-<area>.ts` file next to this one exporting `entries`; a route without an entry
 * fails the suite.
 */
export interface Case {
  /** Who acts (for the report): owner, admin, member, stranger, kicked, blocked, … */
  who: string;
  /** Undefined = no Authorization header. */
  token?: string;
  /** Defaults to the scenario's. */
  method?: string;
  path?: string;
  body?: unknown;
  expect: number;
  code?: string;
  check?: (body: any) => void | Promise<void>;
}

export interface Scenario {
  /** The concrete path (route params filled in) and body most cases use. */
  path: string;
  body?: unknown;
  cases: Case[];
  /** Strings that must never appear in a refused reply (private notices, mobiles, ids of hidden things). */
  secrets?: string[];
}

export interface MatrixEntry {
  /** `METHOD /api/v1/...`, exactly as registered (e.g. `GET /api/v1/groups/:id`). */
  route: string;
  /** Meant to be reachable without a token (registration, login, API docs). */
  public?: true;
  setup(w: World): Promise<Scenario>;
}

export type User = Awaited<ReturnType<typeof registerUser>>;
export const V = '/api/v1';

/** A group with one user in each position relative to it. */
export interface GroupFixture {
  id: string;
  notice: string;
  owner: User;
  admin: User;
  member: User;
  /** Was a member, was removed. */
  kicked: User;
  /** Never had anything to do with the group. */
  stranger: User;
}

/** Builds scenarios through the public API only, on one shared server. */
export class World {
  constructor(readonly s: TestServer) {}

  get api(): ApiClient {
    return this.s.api;
  }

  user(name = 'u'): Promise<User> {
    return registerUser(this.api, name);
  }

  async users(n: number, name = 'u'): Promise<User[]> {
    const out: User[] = [];
    for (let i = 0; i < n; i++) out.push(await this.user(name));
    return out;
  }

  /** A pending friend request from a to b; returns its id. */
  async request(a: User, b: User): Promise<string> {
    const r = await this.api.post(`${V}/contacts/requests`, { userId: b.user.id }, a.token);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id;
  }

  async friends(a: User, b: User): Promise<void> {
    const id = await this.request(a, b);
    const ok = await this.api.post(`${V}/contacts/requests/${id}/accept`, {}, b.token);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  }

  async block(by: User, target: User): Promise<void> {
    expect((await this.api.put(`${V}/blocks/${target.user.id}`, {}, by.token)).status).toBe(200);
  }

  async group(policy: 'open' | 'approval' | 'invite' = 'invite'): Promise<GroupFixture> {
    const [owner, admin, member, kicked, stranger] = await this.users(5, 'gm');
    for (const u of [admin, member, kicked]) await this.friends(owner!, u!);
    const notice = `secret-notice-${Math.random().toString(36).slice(2)}`;
    const g = await this.api.post(
      `${V}/groups`,
      {
        name: `matrix ${policy}`,
        notice,
        joinPolicy: policy,
        userIds: [admin!.user.id, member!.user.id, kicked!.user.id],
      },
      owner!.token,
    );
    expect(g.status, JSON.stringify(g.body)).toBe(201);
    const id = g.body.id as string;
    expect(
      (await this.api.patch(`${V}/groups/${id}/members/${admin!.user.id}`, { role: 'admin' }, owner!.token)).status,
    ).toBe(200);
    expect((await this.api.delete(`${V}/groups/${id}/members/${kicked!.user.id}`, owner!.token)).status).toBe(200);
    return { id, notice, owner: owner!, admin: admin!, member: member!, kicked: kicked!, stranger: stranger! };
  }

  /** A pending join request to an approval group; returns its id. */
  async joinRequest(groupId: string, u: User): Promise<string> {
    const r = await this.api.post(`${V}/groups/${groupId}/join`, {}, u.token);
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    return r.body.request.id;
  }
}
