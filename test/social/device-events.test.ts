import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import type { ParleyClient, UserEvent } from '@parley/client';
import { testDialects } from '../support/databases.js';
import { type TestServer, startServer } from '../support/server.js';
import { connectClient, until } from '../support/ws-clients.js';
import { V, befriend, eventsOf, expectError, groupWith, users } from './helpers.js';

/**
 * Changes made on one device reach the user's other devices as `event` frames: a second device
 * stays connected over WebSocket while the first acts over REST.
 */
describe.each(testDialects())('user events reach the other devices on %s', (dialect) => {
  let s: TestServer;
  const open: ParleyClient[] = [];
  beforeAll(async () => {
    s = await startServer({ dialect });
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await s?.close();
  });

  /** A connected device of `token` and the events it receives. */
  const device = async (token: string) => {
    const events: UserEvent[] = [];
    const c = await connectClient(s.url, token, 'json', {}, (x) => x.on('event', (e) => events.push(e)));
    open.push(c);
    return { c, events, kinds: () => events.map((e) => e.kind) };
  };
  /** Lets anything still in flight arrive, so "nothing more" assertions mean something. */
  const settle = () => new Promise((r) => setTimeout(r, 150));

  it('setting a remark: contact.updated to my devices only; the same remark again announces nothing', async () => {
    const [a, b] = await users(s.api, 'rem', 'peer');
    await befriend(s.api, a, b);
    const mine = await device(a.token);
    const theirs = await device(b.token);

    const r = await s.api.patch(`${V}/contacts/${b.user.id}`, { remark: 'Bea' }, a.token);
    expect(r.status).toBe(200);
    await until(() => mine.kinds().includes('contact.updated'), 5000, 'contact.updated');
    const ev = mine.events.find((e) => e.kind === 'contact.updated')!;
    expect(ev.payload).toEqual({
      friend: {
        id: b.user.id,
        username: b.user.username,
        nickname: b.user.nickname,
        avatar: null,
        remark: 'Bea',
        since: r.body.since,
        conversation: dmId(a.user.id, b.user.id),
      },
    });
    // It is in the log too, so a device that was away replays it.
    expect((await eventsOf(s, a.user.id)).at(-1)).toMatchObject({ kind: 'contact.updated', seq: ev.seq });

    // Unchanged: no event. Cleared: an event with "".
    expect((await s.api.patch(`${V}/contacts/${b.user.id}`, { remark: 'Bea' }, a.token)).status).toBe(200);
    expect((await s.api.patch(`${V}/contacts/${b.user.id}`, { remark: '' }, a.token)).body.remark).toBe('');
    await until(() => mine.kinds().filter((k) => k === 'contact.updated').length >= 2, 5000, 'second contact.updated');
    await settle();
    expect(
      mine.events
        .filter((e) => e.kind === 'contact.updated')
        .map((e) => (e.payload.friend as { remark: string }).remark),
    ).toEqual(['Bea', '']);
    // A remark is private: the friend hears nothing.
    expect(theirs.kinds()).toEqual([]);
    // Not friends: refused, nothing logged.
    const [c] = await users(s.api, 'nof');
    const before = (await eventsOf(s, a.user.id)).length;
    expectError(await s.api.patch(`${V}/contacts/${c.user.id}`, { remark: 'x' }, a.token), 403, 'NOT_FRIENDS');
    expect(await eventsOf(s, a.user.id)).toHaveLength(before);
  });

  it('unblocking: contact.unblocked to my devices only, once; the unblocked user hears nothing', async () => {
    const [a, b] = await users(s.api, 'unb', 'blk');
    expect((await s.api.put(`${V}/blocks/${b.user.id}`, {}, a.token)).status).toBe(200);
    const mine = await device(a.token);
    const theirs = await device(b.token);

    expect((await s.api.delete(`${V}/blocks/${b.user.id}`, a.token)).status).toBe(200);
    await until(() => mine.kinds().includes('contact.unblocked'), 5000, 'contact.unblocked');
    expect(mine.events.find((e) => e.kind === 'contact.unblocked')!.payload).toEqual({
      user: { id: b.user.id, username: b.user.username, nickname: b.user.nickname, avatar: null },
    });
    expect((await s.api.get(`${V}/blocks`, a.token)).body.items).toEqual([]);
    // Idempotent: unblocking again (or someone never blocked) changes and announces nothing.
    expect((await s.api.delete(`${V}/blocks/${b.user.id}`, a.token)).status).toBe(200);
    await settle();
    expect(mine.kinds()).toEqual(['contact.unblocked']);
    expect((await eventsOf(s, a.user.id)).map((e) => e.kind)).toEqual(['contact.blocked', 'contact.unblocked']);
    // The blocked user never saw the block, so they see no unblock either; they may send requests again.
    expect(theirs.kinds()).toEqual([]);
    expect(await eventsOf(s, b.user.id)).toEqual([]);
    expect((await s.api.post(`${V}/contacts/requests`, { userId: a.user.id }, b.token)).status).toBe(201);
  });

  it("withdrawing a join request: group.request.canceled reaches the admins' and the requester's devices", async () => {
    const [o, asker] = await users(s.api, 'gown', 'gask');
    const g = await groupWith(s.api, o, [], { joinPolicy: 'approval' });
    const owner = await device(o.token);
    const self = await device(asker.token);
    const r = await s.api.post(`${V}/groups/${g.id}/join`, {}, asker.token);
    await until(() => owner.kinds().includes('group.request'), 5000, 'group.request');
    expect((await s.api.delete(`${V}/groups/${g.id}/join`, asker.token)).status).toBe(200);
    for (const d of [owner, self])
      await until(() => d.kinds().includes('group.request.canceled'), 5000, 'group.request.canceled');
    expect(owner.events.at(-1)!.payload).toMatchObject({
      requestId: r.body.request.id,
      group: { id: g.id, joinPolicy: 'approval' },
    });
  });
});
