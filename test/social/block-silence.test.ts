import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import type { ServerFrame } from '@parley/client';
import { testDialects } from '../support/databases.js';
import { type TestServer, startServer } from '../support/server.js';
import { RawSocket } from '../support/ws-clients.js';
import { type U, V, befriend, eventsOf, groupWith, users } from './helpers.js';

/**
 * A block means silence in every channel: nothing the blocked user does reaches the blocker's
 * sockets or event log (read receipts, typing, join requests and their text, presence). Each
 * case has the blocked user act first and an unblocked user act second; once the second
 * user's frame reached the blocker (same node, same order), nothing of the first may have.
 */
describe.each(testDialects())('blocks mean silence on %s', (dialect) => {
  let s: TestServer;
  const sockets: RawSocket[] = [];
  beforeAll(async () => {
    s = await startServer({ dialect, config: { typingThrottle: 0 } });
  });
  afterEach(() => {
    for (const x of sockets.splice(0)) x.close();
  });
  afterAll(async () => {
    await s?.close();
  });

  const open = async (u: U) => {
    const ws = await RawSocket.open(s.url, { token: u.token });
    sockets.push(ws);
    await ws.next((f) => f.type === 'ready');
    return ws;
  };
  const from = (frames: ServerFrame[], userId: string) =>
    frames.filter((f) => 'userId' in f && (f as { userId: string }).userId === userId);

  /** blocker (a) is friends with blocked (b) and with a control user (c); a blocked b. */
  const trio = async (p: string) => {
    const [a, b, c] = await users(s.api, `${p}a`, `${p}b`, `${p}c`);
    await befriend(s.api, a, b);
    await befriend(s.api, a, c);
    return { a, b, c };
  };
  const block = async (who: U, whom: U) =>
    expect((await s.api.put(`${V}/blocks/${whom.user.id}`, {}, who.token)).status).toBeLessThan(300);

  it('read receipts of a blocked user never reach the blocker', async () => {
    const { a, b, c } = await trio('rr');
    for (const peer of [b, c]) {
      const r = await s.api.post(
        `${V}/conversations/${dmId(a.user.id, peer.user.id)}/messages`,
        {
          clientId: `m-${peer.user.id}`,
          kind: 'text',
          text: 'hello',
        },
        a.token,
      );
      expect(r.status).toBe(201);
    }
    await block(a, b);
    const wa = await open(a);
    const wb = await open(b);
    // Over the socket and over REST: the blocked user's own devices still get their receipt.
    wb.send({ type: 'read', conversation: dmId(a.user.id, b.user.id), seq: 1 });
    await wb.next((f) => f.type === 'receipt');
    expect(
      (await s.api.post(`${V}/conversations/${dmId(a.user.id, b.user.id)}/read`, { seq: 1 }, b.token)).status,
    ).toBe(200);
    expect(
      (await s.api.post(`${V}/conversations/${dmId(a.user.id, c.user.id)}/read`, { seq: 1 }, c.token)).status,
    ).toBe(200);
    await wa.next((f) => f.type === 'receipt' && f.userId === c.user.id);
    expect(from(wa.frames, b.user.id)).toEqual([]);
  });

  it('typing in a shared group skips members who blocked the typist', async () => {
    const { a, b, c } = await trio('ty');
    const g = await groupWith(s.api, a, [b, c]);
    await block(a, b);
    const [wa, wb, wc] = [await open(a), await open(b), await open(c)];
    wb.send({ type: 'typing', conversation: g.conversation });
    // c hears b (c blocked no one), so b's signal was published before c's own.
    await wc.next((f) => f.type === 'typing' && f.userId === b.user.id);
    wc.send({ type: 'typing', conversation: g.conversation });
    await wa.next((f) => f.type === 'typing' && f.userId === c.user.id);
    await wb.next((f) => f.type === 'typing' && f.userId === c.user.id);
    expect(from(wa.frames, b.user.id)).toEqual([]);
  });

  it('join requests (and their text) of a blocked user reach only the admins who did not block them', async () => {
    const [owner, admin, blocked, other] = await users(s.api, 'jo', 'jadm', 'jb', 'jc');
    const g = await groupWith(s.api, owner, [admin], { joinPolicy: 'approval' });
    expect(
      (await s.api.patch(`${V}/groups/${g.id}/members/${admin.user.id}`, { role: 'admin' }, owner.token)).status,
    ).toBe(200);
    await block(owner, blocked);
    const wo = await open(owner);
    const wadm = await open(admin);
    const secret = 'let me in, it is me again';
    expect((await s.api.post(`${V}/groups/${g.id}/join`, { message: secret }, blocked.token)).status).toBe(202);
    expect((await s.api.delete(`${V}/groups/${g.id}/join`, blocked.token)).status).toBe(200);
    expect((await s.api.post(`${V}/groups/${g.id}/join`, { message: secret }, blocked.token)).status).toBe(202);
    expect((await s.api.post(`${V}/groups/${g.id}/join`, { message: 'hi' }, other.token)).status).toBe(202);

    // The other admin hears everything: the control that the requests were announced at all.
    const kinds = (ws: RawSocket) => ws.frames.flatMap((f) => (f.type === 'event' ? [f.event.kind] : []));
    await wadm.next((f) => f.type === 'event' && JSON.stringify(f.event.payload).includes(other.user.id));
    expect(kinds(wadm)).toEqual(['group.request', 'group.request.canceled', 'group.request']);
    await wo.next((f) => f.type === 'event' && JSON.stringify(f.event.payload).includes(other.user.id));
    expect(kinds(wo)).toEqual([]);
    expect(JSON.stringify(wo.frames)).not.toContain(secret);
    const logged = (await eventsOf(s, owner.user.id)).filter((e) => e.kind.startsWith('group.request'));
    expect(JSON.stringify(logged)).not.toContain(blocked.user.id);
    expect(logged).toHaveLength(1);

    const listed = async (u: U) =>
      (await s.api.get(`${V}/groups/${g.id}/requests`, u.token)).body.items.map(
        (r: { user: { id: string } }) => r.user.id,
      );
    expect(await listed(owner)).toEqual([other.user.id]);
    expect((await listed(admin)).sort()).toEqual([blocked.user.id, other.user.id].sort());
  });

  it("presence of a blocked user never reaches the blocker (announcements, a new socket's list, the friends list)", async () => {
    const { a, b, c } = await trio('pr');
    await block(a, b);
    const wa = await open(a);
    await open(b);
    await open(c);
    await wa.next((f) => f.type === 'presence' && f.userId === c.user.id && f.online);
    // A second socket of the blocker is shown who is online: c, not b.
    const wa2 = await open(a);
    await wa2.next((f) => f.type === 'presence' && f.userId === c.user.id);
    expect(from(wa.frames, b.user.id)).toEqual([]);
    expect(from(wa2.frames, b.user.id)).toEqual([]);
    const friends = (await s.api.get(`${V}/contacts`, a.token)).body.items as { id: string; online: boolean }[];
    expect(Object.fromEntries(friends.map((f) => [f.id, f.online]))).toEqual({ [b.user.id]: false, [c.user.id]: true });
    // The blocked user still sees the blocker come and go (the block stays invisible to them).
    const friendsOfB = (await s.api.get(`${V}/contacts`, b.token)).body.items as { id: string; online: boolean }[];
    expect(friendsOfB.find((f) => f.id === a.user.id)?.online).toBe(true);
  });
});
