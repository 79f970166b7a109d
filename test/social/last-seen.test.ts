import type { ParleyClient } from '@parley/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../support/databases.js';
import { type TestServer, startServer } from '../support/server.js';
import { connectClient, until } from '../support/ws-clients.js';
import { type U, V, befriend, db, expectError, users } from './helpers.js';

describe.each(testDialects())('last seen over HTTP and WebSocket on %s', (dialect) => {
  let s: TestServer;
  const open: ParleyClient[] = [];
  beforeAll(async () => {
    s = await startServer({ dialect });
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await s?.close();
  });

  const connect = async (u: U) => {
    const c = await connectClient(s.url, u.token);
    open.push(c);
    return c;
  };
  const setting = async (u: U, lastSeen: string) => {
    const r = await s.api.patch(`${V}/me`, { lastSeen }, u.token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.lastSeen).toBe(lastSeen);
  };
  const seenBy = async (viewer: U, subject: U) => {
    const r = await s.api.get(`${V}/users/${subject.user.id}/last-seen`, viewer.token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as { userId: string; lastSeenAt: number | null; online: boolean | null };
  };
  const inFriends = async (viewer: U, subject: U) => {
    const r = await s.api.get(`${V}/contacts`, viewer.token);
    return r.body.items.find((f: any) => f.id === subject.user.id)?.lastSeenAt;
  };
  /** `subject` goes online then offline while `watcher` listens: the offline presence frame. */
  async function offlineFrame(subject: U, watcher: U) {
    const w = await connect(watcher);
    const frames: { userId: string; online: boolean; lastSeenAt?: number }[] = [];
    w.on('presence', (p) => frames.push(p));
    const c = await connect(subject);
    await until(() => frames.some((f) => f.userId === subject.user.id && f.online), 5000, 'online frame');
    const before = Date.now();
    c.close();
    await until(() => frames.some((f) => f.userId === subject.user.id && !f.online), 5000, 'offline frame');
    w.close();
    return { frame: frames.find((f) => f.userId === subject.user.id && !f.online)!, before, after: Date.now() };
  }

  it('the default is contacts; the time is recorded when the last device goes offline and shown to contacts', async () => {
    const [a, b, d] = await users(s.api, 'amy', 'bob', 'dan');
    await befriend(s.api, a, b);
    expect((await s.api.get(`${V}/me`, a.token)).body.lastSeen).toBe('contacts');
    // Never seen offline yet: nothing to show.
    expect(await seenBy(b, a)).toEqual({ userId: a.user.id, lastSeenAt: null, online: false });

    // Two devices: only the last one going offline counts.
    const w = await connect(b);
    const frames: { userId: string; online: boolean; lastSeenAt?: number }[] = [];
    w.on('presence', (p) => frames.push(p));
    const phone = await connect(a);
    const laptop = await connect(a);
    await until(() => frames.some((f) => f.userId === a.user.id && f.online), 5000, 'online frame');
    laptop.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(frames.filter((f) => !f.online)).toEqual([]);
    expect(await seenBy(b, a)).toMatchObject({ lastSeenAt: null, online: true });
    const before = Date.now();
    phone.close();
    await until(() => frames.some((f) => !f.online), 5000, 'offline frame');
    const row = await db(s)
      .selectFrom('users')
      .select('last_seen_at')
      .where('id', '=', a.user.id)
      .executeTakeFirstOrThrow();
    const at = Number(row.last_seen_at);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
    expect(frames.find((f) => !f.online)?.lastSeenAt).toBe(at);
    w.close();

    expect(await seenBy(b, a)).toEqual({ userId: a.user.id, lastSeenAt: at, online: false });
    expect(await inFriends(b, a)).toBe(at);
    expect(await seenBy(a, a)).toMatchObject({ lastSeenAt: at });
    // A stranger sees nothing under `contacts`.
    expect(await seenBy(d, a)).toEqual({ userId: a.user.id, lastSeenAt: null, online: null });
  });

  it('contacts get the time in the offline presence frame when the setting allows it', async () => {
    const [a, b] = await users(s.api, 'amy', 'bob');
    await befriend(s.api, a, b);
    const { frame, before, after } = await offlineFrame(a, b);
    expect(frame.lastSeenAt).toBeGreaterThanOrEqual(before);
    expect(frame.lastSeenAt).toBeLessThanOrEqual(after);

    await setting(a, 'nobody');
    const hidden = await offlineFrame(a, b);
    expect(hidden.frame).toEqual({ type: 'presence', userId: a.user.id, online: false });
  });

  it('everyone: strangers see it too; nobody: no one does, not even contacts', async () => {
    const [a, b, d] = await users(s.api, 'amy', 'bob', 'dan');
    await befriend(s.api, a, b);
    const c = await connect(a);
    c.close();
    await until(async () => (await seenBy(a, a)).lastSeenAt !== null, 5000, 'recorded');
    const at = (await seenBy(a, a)).lastSeenAt;

    await setting(a, 'everyone');
    expect(await seenBy(d, a)).toEqual({ userId: a.user.id, lastSeenAt: at, online: false });
    expect(await seenBy(b, a)).toMatchObject({ lastSeenAt: at });

    await setting(a, 'nobody');
    expect(await seenBy(d, a)).toMatchObject({ lastSeenAt: null, online: null });
    expect(await seenBy(b, a)).toMatchObject({ lastSeenAt: null, online: null });
    expect(await inFriends(b, a)).toBeNull();
    // Still their own.
    expect(await seenBy(a, a)).toMatchObject({ lastSeenAt: at });
  });

  it('reciprocity: whoever hides theirs sees nobody else’s; a block hides it both ways', async () => {
    const [a, b, x] = await users(s.api, 'amy', 'bob', 'xen');
    await befriend(s.api, a, b);
    await befriend(s.api, a, x);
    const c = await connect(a);
    c.close();
    await until(async () => (await seenBy(a, a)).lastSeenAt !== null, 5000, 'recorded');
    await setting(a, 'everyone');
    expect((await seenBy(b, a)).lastSeenAt).not.toBeNull();
    await setting(b, 'nobody');
    expect(await seenBy(b, a)).toMatchObject({ lastSeenAt: null, online: null });
    expect(await inFriends(b, a)).toBeNull();
    await setting(b, 'contacts');
    expect((await seenBy(b, a)).lastSeenAt).not.toBeNull();

    expect((await seenBy(x, a)).lastSeenAt).not.toBeNull();
    expect((await s.api.put(`${V}/blocks/${a.user.id}`, {}, x.token)).status).toBe(200);
    expect(await seenBy(x, a)).toMatchObject({ lastSeenAt: null });
    expect(await seenBy(a, x)).toMatchObject({ lastSeenAt: null });
  });

  it('the setting is validated; an unknown user is 404', async () => {
    const [a] = await users(s.api, 'amy');
    expectError(await s.api.patch(`${V}/me`, { lastSeen: 'friends' }, a.token), 400, 'VALIDATION_FAILED');
    expect((await s.api.get(`${V}/me`, a.token)).body.lastSeen).toBe('contacts');
    // With other profile fields in the same call.
    const r = await s.api.patch(`${V}/me`, { lastSeen: 'everyone', bio: 'hi' }, a.token);
    expect(r.body).toMatchObject({ lastSeen: 'everyone', bio: 'hi' });
    expectError(await s.api.get(`${V}/users/${'a'.repeat(26)}/last-seen`, a.token), 404, 'USER_NOT_FOUND');
  });
});
