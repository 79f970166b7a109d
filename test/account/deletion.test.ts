import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import { uploadOne } from '../media/helpers.js';
import { solidPng } from '../media/fixtures.js';
import { V, befriend, db, entriesOf, groupWith, users } from '../social/helpers.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { RawSocket } from '../support/ws-clients.js';

describe.each(testDialects())('account deletion on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ dialect });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('erases the account; the peer still reads history from "Deleted account"; groups pass on', async () => {
    const { api } = s;
    const [amy, bob, cat, dan] = await users(api, 'amy', 'bob', 'cat', 'dan');
    await befriend(api, amy, bob);
    await befriend(api, amy, cat);
    // Amy owns "team": bob joined first as a member, cat later and was made admin: cat takes over.
    const team = await groupWith(api, amy, [bob, cat]);
    expect(
      (await api.patch(`${V}/groups/${team.id}/members/${cat.user.id}`, { role: 'admin' }, amy.token)).status,
    ).toBe(200);
    // Amy alone in "solo": it is dissolved. Bob's "club" with amy as a member: she just leaves.
    const solo = await groupWith(api, amy, []);
    const club = await groupWith(api, bob, [amy]);
    // A pending request from amy to dan ends.
    expect((await api.post(`${V}/contacts/requests`, { userId: dan.user.id }, amy.token)).status).toBe(201);

    const dm = dmId(amy.user.id, bob.user.id);
    const shared = await uploadOne(s, amy.token, await solidPng(8, 8), 'shared.png');
    const kept = await uploadOne(s, amy.token, await solidPng(9, 9), 'private.png');
    expect(shared.status).toBe(201);
    expect(kept.status).toBe(201);
    const sent = await api.post(
      `${V}/conversations/${dm}/messages`,
      { clientId: 'm1', kind: 'text', text: 'hello bob' },
      amy.token,
    );
    expect(sent.status).toBe(201);
    const pic = await api.post(
      `${V}/conversations/${dm}/messages`,
      { clientId: 'm2', kind: 'image', media: shared.body.id },
      amy.token,
    );
    expect(pic.status, JSON.stringify(pic.body)).toBe(201);

    const sock = await RawSocket.open(s.url, { token: amy.token });
    await sock.next((f) => f.type === 'ready', 5000);

    // The wrong password changes nothing.
    const wrong = await api.post(`${V}/me/delete`, { password: 'not my password' }, amy.token);
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
    expect((await api.get(`${V}/me`, amy.token)).status).toBe(200);

    const del = await api.post(`${V}/me/delete`, { password: amy.password }, amy.token);
    expect(del.status, JSON.stringify(del.body)).toBe(200);

    // Sessions end and the socket closes.
    expect((await api.get(`${V}/me`, amy.token)).status).toBe(401);
    expect(await sock.closedWith(5000)).toBeGreaterThan(0);
    expect((await api.post(`${V}/auth/login`, { login: amy.username, password: amy.password })).body.error.code).toBe(
      'INVALID_CREDENTIALS',
    );

    // The profile is erased; views say it is deleted.
    const seen = await api.get(`${V}/users/${amy.user.id}`, bob.token);
    expect(seen.body).toEqual({
      id: amy.user.id,
      username: `_${amy.user.id}`,
      nickname: 'Deleted account',
      avatar: null,
      gender: 'unspecified',
      bio: '',
      deleted: true,
    });
    const row = await db(s).selectFrom('users').selectAll().where('id', '=', amy.user.id).executeTakeFirstOrThrow();
    expect(row.deleted_at).not.toBeNull();
    expect(row.mobile).toBeNull();

    // Contacts go on both sides; the request to dan is canceled.
    expect((await api.get(`${V}/contacts`, bob.token)).body.items).toEqual([]);
    expect((await api.get(`${V}/contacts/requests?direction=in`, dan.token)).body.items).toEqual([]);
    const contactRows = await db(s)
      .selectFrom('contacts')
      .selectAll()
      .where((eb) => eb.or([eb('user_id', '=', amy.user.id), eb('peer_id', '=', amy.user.id)]))
      .execute();
    expect(contactRows).toEqual([]);

    // Bob still reads the history, from amy's id.
    const hist = await api.get(`${V}/conversations/${dm}/messages`, bob.token);
    expect(hist.status).toBe(200);
    const texts = hist.body.items.filter((e: any) => e.kind === 'text');
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatchObject({ text: 'hello bob', sender: amy.user.id });
    // The shared image stays (bob received it); the unshared upload is gone.
    const media = await db(s).selectFrom('media').select('id').where('owner_id', '=', amy.user.id).execute();
    expect(media.map((m) => m.id)).toEqual([shared.body.id]);
    expect(kept.body.id).not.toBe(shared.body.id);

    // Team passes to cat (the admin), with a system entry, then amy leaves.
    const g = await db(s).selectFrom('chat_groups').selectAll().where('id', '=', team.id).executeTakeFirstOrThrow();
    expect(g.owner_id).toBe(cat.user.id);
    expect(Number(g.member_count)).toBe(2);
    const teamLog = (await entriesOf(s, team.conversation)).map((e) => e.body.system?.action);
    expect(teamLog.slice(-2)).toEqual(['transferred', 'left']);
    expect((await api.get(`${V}/groups/${team.id}`, cat.token)).body.role).toBe('owner');
    // Solo is dissolved; club lost a member.
    const so = await db(s).selectFrom('chat_groups').selectAll().where('id', '=', solo.id).executeTakeFirstOrThrow();
    expect(so.dissolved_at).not.toBeNull();
    const cl = await db(s).selectFrom('chat_groups').selectAll().where('id', '=', club.id).executeTakeFirstOrThrow();
    expect(Number(cl.member_count)).toBe(1);
    const memberships = await db(s)
      .selectFrom('group_members')
      .selectAll()
      .where('user_id', '=', amy.user.id)
      .execute();
    expect(memberships).toEqual([]);

    // The username is free again.
    const again = await api.post(`${V}/auth/register`, {
      username: amy.username,
      password: 'another long password',
      nickname: 'new amy',
    });
    expect(again.status).toBe(201);
    expect(again.body.user.id).not.toBe(amy.user.id);

    // Idempotent: finishing again writes nothing more.
    const before = (await entriesOf(s, team.conversation)).length;
    await s.app.services.deletion.purge(amy.user.id);
    expect((await entriesOf(s, team.conversation)).length).toBe(before);
  });

  it('the next member by join order inherits when there is no admin', async () => {
    const { api } = s;
    const [own, first, second] = await users(api, 'own', 'fst', 'snd');
    await befriend(api, own, first);
    await befriend(api, own, second);
    const g = await groupWith(api, own, [first]);
    expect((await api.post(`${V}/groups/${g.id}/members`, { userIds: [second.user.id] }, own.token)).status).toBe(200);
    expect((await api.post(`${V}/me/delete`, { password: own.password }, own.token)).status).toBe(200);
    const row = await db(s).selectFrom('chat_groups').selectAll().where('id', '=', g.id).executeTakeFirstOrThrow();
    expect(row.owner_id).toBe(first.user.id);
    // Members see the member list without the deleted owner.
    const members = await api.get(`${V}/groups/${g.id}/members`, second.token);
    expect(members.body.items.map((m: any) => m.id).sort()).toEqual([first.user.id, second.user.id].sort());
  });

  it("an admin's invite links stop working with the account; their reactions stay on the message", async () => {
    const { api } = s;
    const [own, adm, out] = await users(api, 'iown', 'iadm', 'iout');
    await befriend(api, own, adm);
    const g = await groupWith(api, own, [adm]);
    expect((await api.patch(`${V}/groups/${g.id}/members/${adm.user.id}`, { role: 'admin' }, own.token)).status).toBe(
      200,
    );
    const link = await api.post(`${V}/groups/${g.id}/invites`, {}, adm.token);
    expect(link.status, JSON.stringify(link.body)).toBe(201);
    const cid = `g:${g.id}`;
    const sent = await api.post(
      `${V}/conversations/${cid}/messages`,
      { clientId: 'r1', kind: 'text', text: 'hi' },
      own.token,
    );
    expect(sent.status).toBe(201);
    const seq = sent.body.seq ?? sent.body.entry?.seq;
    const react = await api.post(
      `${V}/conversations/${cid}/messages/${seq}/reactions`,
      { clientId: 'x1', emoji: '👍' },
      adm.token,
    );
    expect(react.status, JSON.stringify(react.body)).toBeLessThan(300);

    expect((await api.post(`${V}/me/delete`, { password: adm.password }, adm.token)).status).toBe(200);
    const p = await api.post(`${V}/invites/preview`, { code: link.body.code }, out.token);
    expect(p.status).toBe(410);
    expect(p.body.error.code).toBe('INVITE_REVOKED');
    const counts = await db(s)
      .selectFrom('reaction_counts')
      .select(['emoji', 'count'])
      .where('conversation_id', '=', cid)
      .execute();
    expect(counts.map((c) => [c.emoji, Number(c.count)])).toEqual([['👍', 1]]);
  });

  it('refuses without a token and after deletion', async () => {
    const u = await registerUser(s.api, 'gone');
    expect((await s.api.post(`${V}/me/delete`, { password: u.password })).status).toBe(401);
    expect((await s.api.post(`${V}/me/delete`, { password: u.password }, u.token)).status).toBe(200);
    expect((await s.api.post(`${V}/me/delete`, { password: u.password }, u.token)).status).toBe(401);
  });
});
