import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import type { ParleyClient, ErrorFrame } from '@parley/client';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { befriend, block, createGroup, muteMember, removeMember, unfriend } from '../support/social-fixtures.js';
import { RawSocket, connectClient, until } from '../support/ws-clients.js';

describe.each(testDialects())('authorization over the socket on %s', (dialect) => {
  let s: TestServer;
  const open: ParleyClient[] = [];
  beforeAll(async () => {
    s = await startServer({ dialect, config: { messageRate: 10_000, messageBurst: 10_000 } });
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await s?.close();
  });

  it.each(['json', 'msgpack'] as const)(
    'non-friends, blocks, left groups, mutes and foreign conversations are refused (%s)',
    async (codec) => {
      const a = await registerUser(s.api, 'a');
      const b = await registerUser(s.api, 'b');
      const c = await registerUser(s.api, 'c');
      const ca = await connectClient(s.url, a.token, codec);
      open.push(ca);
      const ab = dmId(a.user.id, b.user.id);
      await expect(ca.send({ to: ab, kind: 'text', text: 'hi' })).rejects.toMatchObject({ code: 'NOT_FRIENDS' });
      await befriend(s.app, a.user.id, b.user.id);
      await expect(ca.send({ to: ab, kind: 'text', text: 'hi' })).resolves.toMatchObject({ seq: 1 });
      await block(s.app, b.user.id, a.user.id);
      await expect(ca.send({ to: ab, kind: 'text', text: 'hi' })).rejects.toMatchObject({ code: 'BLOCKED' });

      // A conversation between two other users.
      const bc = dmId(b.user.id, c.user.id);
      await expect(ca.send({ to: bc, kind: 'text', text: 'hi' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      const h = await s.api.get(`/api/v1/conversations/${bc}/messages`, a.token);
      expect(h.status).toBe(403);

      // Groups: mute, then leave.
      const { cid, groupId } = await createGroup(s.app, b.user.id, [a.user.id, c.user.id]);
      await expect(ca.send({ to: cid, kind: 'text', text: 'in' })).resolves.toMatchObject({ seq: 1 });
      await muteMember(s.app, groupId, a.user.id, Date.now() + 60_000);
      await expect(ca.send({ to: cid, kind: 'text', text: 'muted' })).rejects.toMatchObject({ code: 'MUTED' });
      await muteMember(s.app, groupId, a.user.id, Date.now() - 1);
      await removeMember(s.app, groupId, a.user.id);
      await expect(ca.send({ to: cid, kind: 'text', text: 'after leaving' })).rejects.toMatchObject({
        code: 'NOT_A_MEMBER',
      });
      // Entries after leaving are not readable by the departed member.
      const cc = await connectClient(s.url, c.token, codec);
      open.push(cc);
      await cc.send({ to: cid, kind: 'text', text: 'secret' });
      const hist = await s.api.get(`/api/v1/conversations/${cid}/messages`, a.token);
      expect(hist.status).toBe(200);
      expect(hist.body.items.map((e: any) => e.text)).toEqual(['in']);

      // Another group entirely: history and sync are refused.
      const other = await createGroup(s.app, b.user.id, [c.user.id]);
      expect((await s.api.get(`/api/v1/conversations/${other.cid}/messages`, a.token)).status).toBe(403);
      const raw = await RawSocket.open(s.url, { token: a.token, codec });
      await raw.next((f) => f.type === 'ready');
      raw.send({ type: 'sync', conversations: { [other.cid]: 0 }, only: true });
      expect((await raw.next<ErrorFrame>((f) => f.type === 'error')).code).toBe('NOT_A_MEMBER');
      await raw.next((f) => f.type === 'sync.done');
      expect(raw.frames.some((f) => f.type === 'sync.batch' && f.conversation === other.cid)).toBe(false);
      raw.close();
      await unfriend(s.app, a.user.id, b.user.id);
    },
  );

  it('a member added to a group gets its messages live; a member removed stops getting them', async () => {
    const a = await registerUser(s.api, 'a');
    const b = await registerUser(s.api, 'b');
    const { cid, groupId } = await createGroup(s.app, a.user.id, []);
    const ca = await connectClient(s.url, a.token);
    const cb = await connectClient(s.url, b.token);
    open.push(ca, cb);
    await ca.send({ to: cid, kind: 'text', text: 'before b' });
    const got: string[] = [];
    cb.on('message', (e) => got.push(e.text ?? e.kind));
    const { addMember } = await import('../support/social-fixtures.js');
    await addMember(s.app, groupId, b.user.id);
    await ca.send({ to: cid, kind: 'text', text: 'after b joined' });
    await until(() => got.length >= 1, 5000, 'live group message');
    expect(got).toEqual(['after b joined']);
    await removeMember(s.app, groupId, b.user.id);
    await ca.send({ to: cid, kind: 'text', text: 'after b left' });
    await ca.send({ to: cid, kind: 'text', text: 'again' });
    await new Promise((r) => setTimeout(r, 300));
    expect(got).toEqual(['after b joined']);
  });
});
