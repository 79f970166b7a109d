import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import { type U, V, befriend, db, expectError, groupWith, users } from '../social/helpers.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, startServer } from '../support/server.js';
import { pdf, solidPng } from './fixtures.js';
import { uploadOne } from './helpers.js';

/**
 * A group avatar obeys the avatar rule of `PATCH /me`: only an image the actor uploaded. The
 * attack it stops: an owner promotes a friend to admin and names the friend's never-shared
 * picture as the group avatar, which would make it readable by every member and visitor.
 */
describe.each(testDialects())('group avatars on %s', (dialect) => {
  let s: TestServer;
  let owner: U;
  let friend: U;
  let member: U;
  let g: { id: string };
  let privatePic: string;
  beforeAll(async () => {
    s = await startServer({ dialect });
    [owner, friend, member] = await users(s.api, 'gao', 'gaf', 'gam');
    await befriend(s.api, owner, friend);
    g = await groupWith(s.api, owner, [friend, member]);
    expect(
      (await s.api.patch(`${V}/groups/${g.id}/members/${friend.user.id}`, { role: 'admin' }, owner.token)).status,
    ).toBe(200);
    privatePic = (await uploadOne(s, friend.token, await solidPng(64, 48), 'private.png')).body.id;
  });
  afterAll(async () => {
    await s?.close();
  });

  const storedAvatar = async () =>
    (await db(s).selectFrom('chat_groups').select('avatar').where('id', '=', g.id).executeTakeFirstOrThrow()).avatar;

  it("naming a friend admin's never-shared picture is refused, and the picture stays private", async () => {
    expectError(await s.api.patch(`${V}/groups/${g.id}`, { avatar: privatePic }, owner.token), 404, 'MEDIA_NOT_FOUND');
    expect(await storedAvatar()).toBeNull();
    expectError(await s.api.get(`${V}/media/${privatePic}`, member.token), 404, 'MEDIA_NOT_FOUND');
    expectError(
      await s.api.post(`${V}/groups`, { name: 'stolen', avatar: privatePic }, owner.token),
      404,
      'MEDIA_NOT_FOUND',
    );
    expect(await db(s).selectFrom('chat_groups').select('id').where('avatar', '=', privatePic).execute()).toEqual([]);
  });

  it('an unknown id or media that is not an image is refused', async () => {
    expectError(await s.api.patch(`${V}/groups/${g.id}`, { avatar: newId() }, owner.token), 404, 'MEDIA_NOT_FOUND');
    const doc = (await uploadOne(s, owner.token, pdf(), 'notes.pdf')).body.id;
    expectError(await s.api.patch(`${V}/groups/${g.id}`, { avatar: doc }, owner.token), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(await storedAvatar()).toBeNull();
  });

  it('a member who may not change the group is refused as before, whatever the media', async () => {
    const mine = (await uploadOne(s, member.token, await solidPng(20, 20), 'm.png')).body.id;
    expectError(await s.api.patch(`${V}/groups/${g.id}`, { avatar: mine }, member.token), 403);
  });

  it('an image the actor uploaded is accepted (owner at creation, admin later), and null clears it', async () => {
    const ownPic = (await uploadOne(s, owner.token, await solidPng(32, 32), 'own.png')).body.id;
    const made = await s.api.post(`${V}/groups`, { name: 'with avatar', avatar: ownPic }, owner.token);
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.avatar).toBe(ownPic);
    const r = await s.api.patch(`${V}/groups/${g.id}`, { avatar: privatePic }, friend.token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(await storedAvatar()).toBe(privatePic);
    // Now it is the group's avatar by its own uploader's choice: members may see it.
    expect((await s.api.get(`${V}/media/${privatePic}`, member.token)).status).toBe(200);
    expect((await s.api.patch(`${V}/groups/${g.id}`, { avatar: null }, friend.token)).status).toBe(200);
    expect(await storedAvatar()).toBeNull();
  });
});
