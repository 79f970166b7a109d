import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '@parley/client';
import type { UserUpdatedFrame } from '@parley/client';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { befriend, createGroup } from '../support/social-fixtures.js';
import { connectClient, until } from '../support/ws-clients.js';

describe.each(testDialects())('profile changes reach others live on %s', (dialect) => {
  let s: TestServer;
  const clients: ParleyClient[] = [];
  beforeAll(async () => {
    s = await startServer({ dialect });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await s?.close();
  });

  async function listen(token: string) {
    const got: UserUpdatedFrame[] = [];
    const c = await connectClient(s.url, token, 'json', {}, (cl) => cl.on('user.updated', (f) => got.push(f)));
    clients.push(c);
    return got;
  }

  it('a new nickname, bio or avatar reaches contacts, group co-members and my other sockets; strangers get nothing', async () => {
    const ann = await registerUser(s.api, 'ann');
    const friend = await registerUser(s.api, 'friend');
    const member = await registerUser(s.api, 'member');
    const stranger = await registerUser(s.api, 'stranger');
    await befriend(s.app, ann.user.id, friend.user.id);
    await createGroup(s.app, member.user.id, [ann.user.id]);
    const [atFriend, atMember, atStranger, atMyOtherTab] = await Promise.all([
      listen(friend.token),
      listen(member.token),
      listen(stranger.token),
      listen(ann.token),
    ]);

    const r = await s.api.patch('/api/v1/me', { nickname: 'Annie', bio: 'on holiday' }, ann.token);
    expect(r.status).toBe(200);
    for (const [who, got] of [
      ['friend', atFriend],
      ['member', atMember],
      ['my other tab', atMyOtherTab],
    ] as const) {
      // At least once: a socket on both a user topic and a group topic of the sender hears it
      // on each (the frame is state, so applying it twice is harmless).
      await until(() => got.length >= 1, 5000, `${who} hears of it`);
      expect(got[0]!.user).toMatchObject({ id: ann.user.id, nickname: 'Annie', bio: 'on holiday' });
      // Public fields only: nothing private (mobile, createdAt) travels.
      expect(Object.keys(got[0]!.user).sort()).toEqual(['avatar', 'bio', 'gender', 'id', 'nickname', 'username']);
    }

    // A change of a private field only (mobile) is not announced.
    expect((await s.api.patch('/api/v1/me', { mobile: '+15550001111' }, ann.token)).status).toBe(200);
    await s.api.patch('/api/v1/me', { nickname: 'Ann' }, ann.token);
    await until(() => atFriend.length === 2 && atMember.length === 2, 5000, 'the second change');
    expect(atFriend.map((f) => f.user.nickname)).toEqual(['Annie', 'Ann']);
    expect(atMember.map((f) => f.user.nickname)).toEqual(['Annie', 'Ann']);
    expect(atStranger).toEqual([]);
  });
});
