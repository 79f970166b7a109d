import { expect } from 'vitest';
import type { Presence } from '../../src/bus/presence.js';
import type { ApiClient, TestServer } from '../support/server.js';
import { registerUser } from '../support/server.js';

export type U = Awaited<ReturnType<typeof registerUser>>;
export const V = '/api/v1';

/** Registers users with short names. */
export async function users<N extends string[]>(api: ApiClient, ...names: N): Promise<{ [K in keyof N]: U }> {
  const out: U[] = [];
  for (const n of names) out.push(await registerUser(api, n));
  return out as { [K in keyof N]: U };
}

/** Makes two users friends through the public API (request + accept). */
export async function befriend(api: ApiClient, a: U, b: U): Promise<void> {
  const r = await api.post(`${V}/contacts/requests`, { userId: b.user.id }, a.token);
  if (r.status === 409 && r.body.error.code === 'ALREADY_FRIENDS') return;
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const ok = await api.post(`${V}/contacts/requests/${r.body.id}/accept`, {}, b.token);
  expect(ok.status, JSON.stringify(ok.body)).toBe(200);
}

/** Creates a group owned by `owner` with the given friends as members (they become friends first). */
export async function groupWith(api: ApiClient, owner: U, members: U[], body: Record<string, unknown> = {}) {
  for (const m of members) await befriend(api, owner, m);
  const r = await api.post(
    `${V}/groups`,
    {
      name: `g${Date.now().toString(36)}`,
      ...body,
      userIds: members.length ? members.map((m) => m.user.id) : undefined,
    },
    owner.token,
  );
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; name: string; conversation: string };
}

/** Direct database access for checking what committed (the store is the truth). */
export function db(s: TestServer) {
  return s.app.store.conn.db;
}

export async function eventsOf(s: TestServer, userId: string) {
  const rows = await db(s).selectFrom('user_events').selectAll().where('user_id', '=', userId).orderBy('seq').execute();
  return rows.map((r) => ({ seq: Number(r.seq), kind: r.kind, payload: JSON.parse(r.payload) }));
}

export async function entriesOf(s: TestServer, cid: string) {
  const rows = await db(s)
    .selectFrom('entries')
    .selectAll()
    .where('conversation_id', '=', cid)
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({
    seq: Number(r.seq),
    kind: r.kind,
    sender: r.sender_id,
    clientId: r.client_id,
    body: JSON.parse(r.body),
  }));
}

export async function convMember(s: TestServer, cid: string, userId: string) {
  const r = await db(s)
    .selectFrom('conversation_members')
    .selectAll()
    .where('conversation_id', '=', cid)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return (
    r && {
      joinedSeq: Number(r.joined_seq),
      leftSeq: r.left_seq == null ? null : Number(r.left_seq),
      readSeq: Number(r.read_seq),
    }
  );
}

/** The presence the server's services use (the gateway will drive it; tests drive it directly). */
export function presenceOf(s: TestServer): Presence {
  return (s.app.services.contacts as unknown as { deps: { presence: Presence } }).deps.presence;
}

/** Asserts a coded error reply that carries nothing but the error. */
export function expectError(r: { status: number; body: any }, status: number, code?: string) {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(Object.keys(r.body)).toEqual(['error']);
  if (code) expect(r.body.error.code).toBe(code);
}
