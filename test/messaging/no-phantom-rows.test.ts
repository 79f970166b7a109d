import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import { newId } from '../../src/domain/ids.js';
import type { ErrorFrame } from '@parley/client';
import { testDialects } from '../support/databases.js';
import { type TestServer, startServer } from '../support/server.js';
import { RawSocket } from '../support/ws-clients.js';
import { type U, V, befriend, db, expectError, groupWith, users } from '../social/helpers.js';

/**
 * Nothing is written for a conversation that does not exist, nor for one the caller is not in:
 * mute/pin (`PATCH`), `read` over REST and the `read` frame answer the documented code and
 * leave no `conversation_members` (or `conversations`) row behind.
 */
describe.each(testDialects())('no rows for conversations that do not exist on %s', (dialect) => {
  let s: TestServer;
  let me: U;
  let stranger: U;
  let friend: U;
  let ws: RawSocket;
  beforeAll(async () => {
    s = await startServer({ dialect });
    [me, stranger, friend] = await users(s.api, 'ph', 'phs', 'phf');
    await befriend(s.api, me, friend);
    ws = await RawSocket.open(s.url, { token: me.token });
    await ws.next((f) => f.type === 'ready');
  });
  afterAll(async () => {
    ws?.close();
    await s?.close();
  });

  const rows = async (cid: string) => {
    const [members, convs] = await Promise.all([
      db(s).selectFrom('conversation_members').select('user_id').where('conversation_id', '=', cid).execute(),
      db(s).selectFrom('conversations').select('id').where('id', '=', cid).execute(),
    ]);
    return { members: members.length, conversations: convs.length };
  };
  const readFrame = async (cid: string) => {
    ws.send({ type: 'read', conversation: cid, seq: 1 });
    return ws.next<ErrorFrame>((f) => f.type === 'error' || f.type === 'receipt');
  };

  it.each([
    ['a random user id', () => dmId(me.user.id, newId())],
    ['a real user who is not a friend', () => dmId(me.user.id, stranger.user.id)],
  ])('a dm: with %s is 404 CONVERSATION_NOT_FOUND and writes nothing', async (_what, cidOf) => {
    const cid = cidOf();
    expectError(
      await s.api.patch(`${V}/conversations/${cid}`, { muted: true }, me.token),
      404,
      'CONVERSATION_NOT_FOUND',
    );
    expectError(
      await s.api.patch(`${V}/conversations/${cid}`, { pinned: true }, me.token),
      404,
      'CONVERSATION_NOT_FOUND',
    );
    expectError(
      await s.api.post(`${V}/conversations/${cid}/read`, { seq: 3 }, me.token),
      404,
      'CONVERSATION_NOT_FOUND',
    );
    expect(await readFrame(cid)).toMatchObject({ type: 'error', code: 'CONVERSATION_NOT_FOUND' });
    expect(await rows(cid)).toEqual({ members: 0, conversations: 0 });
  });

  it('a group the caller is not in (existing or not) is 403 NOT_A_MEMBER and writes nothing', async () => {
    const [owner] = await users(s.api, 'pho');
    const g = await groupWith(s.api, owner, []);
    for (const cid of [g.conversation, `g:${newId()}`]) {
      expectError(await s.api.patch(`${V}/conversations/${cid}`, { muted: true }, me.token), 403, 'NOT_A_MEMBER');
      expectError(await s.api.post(`${V}/conversations/${cid}/read`, { seq: 1 }, me.token), 403, 'NOT_A_MEMBER');
      expect(await readFrame(cid)).toMatchObject({ type: 'error', code: 'NOT_A_MEMBER' });
    }
    expect(await rows(g.conversation)).toEqual({ members: 1, conversations: 1 });
    const mine = await db(s)
      .selectFrom('conversation_members')
      .select('conversation_id')
      .where('user_id', '=', me.user.id)
      .execute();
    expect(mine.map((r) => r.conversation_id)).toEqual([dmId(me.user.id, friend.user.id)]);
  });

  it("a friend's direct conversation still takes flags and reads (the control)", async () => {
    const cid = dmId(me.user.id, friend.user.id);
    const r = await s.api.patch(`${V}/conversations/${cid}`, { muted: true }, me.token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.muted).toBe(true);
    expect((await s.api.post(`${V}/conversations/${cid}/read`, { seq: 0 }, me.token)).status).toBe(200);
    expect(await rows(cid)).toEqual({ members: 2, conversations: 1 });
  });
});
