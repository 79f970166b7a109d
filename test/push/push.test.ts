import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import { topicOf } from '../../src/services/push.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, startServer } from '../support/server.js';
import { RawSocket } from '../support/ws-clients.js';
import { type U, V, befriend, db, groupWith, users } from '../social/helpers.js';
import { type BrowserSubscription, LocalPushService } from './local-push-service.js';

/**
 * Web Push end to end: a real Parley sends to a push service the test runs on 127.0.0.1, which
 * checks the VAPID signature and decrypts each push with the subscription's own keys.
 */
describe.each(testDialects())('web push on %s', (dialect) => {
  let s: TestServer;
  let ps: LocalPushService;
  const sockets: RawSocket[] = [];
  let n = 0;

  beforeAll(async () => {
    s = await startServer({
      dialect,
      config: {
        pushAllowLoopbackHttp: true,
        pushDelay: 300,
        pushMaxDevices: 3,
        messageRate: 10_000,
        messageBurst: 10_000,
      },
    });
    const [u] = await users(s.api, 'keyreader');
    expect((await s.api.get(`${V}/push/vapid-key`)).status).toBe(401);
    const key = await s.api.get(`${V}/push/vapid-key`, u.token);
    expect(key.status).toBe(200);
    ps = await LocalPushService.start(key.body.publicKey);
  });
  afterEach(async () => {
    for (const x of sockets.splice(0)) x.close();
    await s.app.services.push.flush();
    ps.received.length = 0;
    ps.rejected.length = 0;
  });
  afterAll(async () => {
    await s?.close();
    await ps?.close();
  });

  const subscribe = async (u: U, extra: Record<string, unknown> = {}) => {
    const sub = ps.subscription(`s${n++}`);
    const r = await s.api.post(
      `${V}/me/push-subscriptions`,
      { endpoint: sub.endpoint, keys: sub.keys, ...extra },
      u.token,
    );
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return { sub, id: r.body.id as string };
  };
  const say = async (from: U, cid: string, text: string, extra: Record<string, unknown> = {}) => {
    const r = await s.api.post(
      `${V}/conversations/${cid}/messages`,
      { clientId: `c${n++}`, kind: 'text', text, ...extra },
      from.token,
    );
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body;
  };
  const pair = async (p: string) => {
    const [a, b] = await users(s.api, `${p}a`, `${p}b`);
    await befriend(s.api, a, b);
    return { a, b, cid: dmId(a.user.id, b.user.id) };
  };
  const pushesFor = (sub: BrowserSubscription) => ps.for(sub.name);

  it('serves one VAPID public key, kept in the data dir with mode 0600', async () => {
    const file = path.join(s.dataDir, 'vapid.json');
    const kept = JSON.parse(fs.readFileSync(file, 'utf8'));
    const [u] = await users(s.api, 'key');
    expect((await s.api.get(`${V}/push/vapid-key`, u.token)).body.publicKey).toBe(kept.publicKey);
    expect(Buffer.from(kept.publicKey, 'base64url')).toHaveLength(65);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('pushes a direct message to an offline user, signed and encrypted', async () => {
    const { a, b, cid } = await pair('off');
    const { sub } = await subscribe(b);
    await say(a, cid, 'are you there?');
    await ps.waitFor(1);
    expect(ps.rejected).toEqual([]);
    const [p] = pushesFor(sub);
    expect(p!.payload).toMatchObject({
      v: 1,
      kind: 'message',
      conversation: cid,
      title: 'offa',
      body: 'are you there?',
      count: 1,
      tag: cid,
    });
    expect(p!.headers.topic).toBe(topicOf(cid));
    expect(p!.headers.urgency).toBe('high');
    expect(Number(p!.headers.ttl)).toBeGreaterThan(3600);
    expect(p!.jwt.sub).toBe(s.app.config.vapidSubject);
    // The sender's own devices get nothing for their own message.
    const mine = await subscribe(a);
    await say(a, cid, 'again');
    await s.app.services.push.flush();
    expect(pushesFor(mine.sub)).toEqual([]);
  });

  it('does not push to a user with a live socket', async () => {
    const { a, b, cid } = await pair('on');
    const { sub } = await subscribe(b);
    const ws = await RawSocket.open(s.url, { token: b.token });
    sockets.push(ws);
    await ws.next((f) => f.type === 'ready');
    await say(a, cid, 'you are online');
    await ws.next((f) => f.type === 'message');
    await s.app.services.push.flush();
    expect(pushesFor(sub)).toEqual([]);
    // Once the socket is gone, the next message is pushed.
    ws.close();
    await expect.poll(async () => (await s.app.presence.online([b.user.id])).size).toBe(0);
    await say(a, cid, 'now you are not');
    await ps.waitFor(1);
    expect(pushesFor(sub).map((p) => p.payload.body)).toEqual(['now you are not']);
  });

  it('does not push a muted conversation', async () => {
    const { a, b, cid } = await pair('mu');
    const { sub } = await subscribe(b);
    expect((await s.api.patch(`${V}/conversations/${cid}`, { muted: true }, b.token)).status).toBe(200);
    await say(a, cid, 'shh');
    await s.app.services.push.flush();
    expect(pushesFor(sub)).toEqual([]);
  });

  it('hides the text for a device that asked', async () => {
    const { a, b, cid } = await pair('hid');
    const hidden = await subscribe(b, { hideText: true });
    await say(a, cid, 'the secret plan');
    await ps.waitFor(1);
    const [p] = pushesFor(hidden.sub);
    expect(p!.payload).toMatchObject({ title: 'Parley', body: 'New message', conversation: cid, count: 1 });
    expect(JSON.stringify(p!.payload)).not.toMatch(/secret|hida/);
  });

  it('collapses a busy group into a few pushes that count every message', async () => {
    const [owner, b, c] = await users(s.api, 'busyo', 'busyb', 'busyc');
    const g = await groupWith(s.api, owner, [b, c]);
    const { sub } = await subscribe(b);
    for (let i = 0; i < 50; i++) await say(i % 2 ? owner : c, g.conversation, `msg ${i}`);
    await s.app.services.push.flush();
    const got = pushesFor(sub);
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThanOrEqual(10);
    expect(got.reduce((t, p) => t + p.payload.count, 0)).toBe(50);
    for (const p of got) {
      expect(p.headers.topic).toBe(topicOf(g.conversation));
      expect(p.payload.conversation).toBe(g.conversation);
      if (p.payload.count > 1) expect(p.payload.body).toBe(`${p.payload.count} new messages in ${g.name}`);
    }
  });

  it('tells a mentioned member so, with high urgency', async () => {
    const [owner, b] = await users(s.api, 'meno', 'menb');
    const g = await groupWith(s.api, owner, [b]);
    const { sub } = await subscribe(b);
    await say(owner, g.conversation, 'look here', { mentions: [b.user.id] });
    await ps.waitFor(1);
    const [p] = pushesFor(sub);
    expect(p!.payload).toMatchObject({ title: g.name, body: 'meno mentioned you: look here' });
    expect(p!.headers.urgency).toBe('high');
  });

  it('pushes a friend request to its offline recipient only', async () => {
    const [a, b] = await users(s.api, 'reqa', 'reqb');
    const subA = await subscribe(a);
    const subB = await subscribe(b);
    expect((await s.api.post(`${V}/contacts/requests`, { userId: b.user.id }, a.token)).status).toBe(201);
    await s.app.services.push.flush();
    expect(pushesFor(subA.sub)).toEqual([]);
    expect(pushesFor(subB.sub).map((p) => p.payload)).toMatchObject([
      { kind: 'request', title: 'Friend request', body: 'reqa wants to add you as a friend' },
    ]);
  });

  it('pushes a join request to the group owner, and not one answered within the window', async () => {
    const [owner, asker, quick] = await users(s.api, 'joino', 'joina', 'joinq');
    const g = await groupWith(s.api, owner, [], { joinPolicy: 'approval' });
    const { sub } = await subscribe(owner);
    expect((await s.api.post(`${V}/groups/${g.id}/join`, { message: 'let me in' }, asker.token)).status).toBe(202);
    await s.app.services.push.flush();
    expect(pushesFor(sub).map((p) => p.payload)).toMatchObject([
      { kind: 'request', title: 'Join request', body: `joina asks to join ${g.name}`, count: 1 },
    ]);
    expect(JSON.stringify(pushesFor(sub))).not.toContain('let me in');
    // Asked and withdrawn before the window closed: nothing to tell.
    const r = await s.api.post(`${V}/groups/${g.id}/join`, {}, quick.token);
    expect(r.status).toBe(202);
    expect((await s.api.delete(`${V}/groups/${g.id}/join`, quick.token)).status).toBe(200);
    await s.app.services.push.flush();
    expect(pushesFor(sub)).toHaveLength(1);
  });

  it('does not push what a blocked member says in a shared group', async () => {
    const [owner, b, c] = await users(s.api, 'blko', 'blkb', 'blkc');
    const g = await groupWith(s.api, owner, [b, c]);
    const { sub } = await subscribe(b);
    expect((await s.api.put(`${V}/blocks/${c.user.id}`, {}, b.token)).status).toBeLessThan(300);
    await say(c, g.conversation, 'from the blocked one');
    await s.app.services.push.flush();
    expect(pushesFor(sub)).toEqual([]);
    await say(owner, g.conversation, 'from the owner');
    await s.app.services.push.flush();
    expect(pushesFor(sub).map((p) => p.payload.body)).toEqual(['blko: from the owner']);
  });

  it('deletes a subscription the push service says is gone (410)', async () => {
    const { a, b, cid } = await pair('gone');
    const { sub, id } = await subscribe(b);
    ps.status.set(sub.name, 410);
    await say(a, cid, 'hello?');
    await s.app.services.push.flush();
    expect(await db(s).selectFrom('push_subscriptions').select('id').where('id', '=', id).execute()).toEqual([]);
    expect((await s.api.get(`${V}/me/push-subscriptions`, b.token)).body.items).toEqual([]);
  });

  it('lists and revokes subscriptions per device, and drops them when the session ends', async () => {
    const [u] = await users(s.api, 'dev');
    const login = await s.api.post(`${V}/auth/login`, { login: u.username, password: u.password, device: 'phone' });
    const phone = { ...u, token: login.body.token as string };
    const first = await subscribe(u);
    const second = await subscribe(phone, { hideText: true });
    const list = await s.api.get(`${V}/me/push-subscriptions`, u.token);
    expect(list.body.items).toHaveLength(2);
    const mine = list.body.items.find((x: { id: string }) => x.id === first.id);
    expect(mine).toMatchObject({ current: true, hideText: false, service: new URL(ps.origin).host });
    expect(list.body.items.find((x: { id: string }) => x.id === second.id)).toMatchObject({
      current: false,
      hideText: true,
      device: 'phone',
    });
    expect(JSON.stringify(list.body)).not.toContain(first.sub.endpoint);

    // Re-subscribing from the same session replaces its subscription instead of adding one.
    const again = await subscribe(u);
    expect((await s.api.get(`${V}/me/push-subscriptions`, u.token)).body.items.map((x: any) => x.id).sort()).toEqual(
      [again.id, second.id].sort(),
    );

    expect((await s.api.delete(`${V}/me/push-subscriptions/${again.id}`, u.token)).status).toBe(200);
    expect((await s.api.delete(`${V}/me/push-subscriptions/${again.id}`, u.token)).status).toBe(404);

    expect((await s.api.post(`${V}/auth/logout`, {}, phone.token)).status).toBe(200);
    expect((await s.api.get(`${V}/me/push-subscriptions`, u.token)).body.items).toEqual([]);
    expect(
      await db(s).selectFrom('push_subscriptions').select('id').where('user_id', '=', u.user.id).execute(),
    ).toEqual([]);
  });

  it('caps subscriptions per user', async () => {
    const [u] = await users(s.api, 'cap');
    const tokens = [u.token];
    for (let i = 0; i < 3; i++) {
      const r = await s.api.post(`${V}/auth/login`, { login: u.username, password: u.password });
      tokens.push(r.body.token);
    }
    for (const t of tokens.slice(0, 3)) await subscribe({ ...u, token: t });
    const sub = ps.subscription('over');
    const r = await s.api.post(`${V}/me/push-subscriptions`, { endpoint: sub.endpoint, keys: sub.keys }, tokens[3]);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('TOO_MANY_SUBSCRIPTIONS');
  });

  it('refuses endpoints and keys that are not a browser subscription', async () => {
    const [u] = await users(s.api, 'val');
    const good = ps.subscription('val');
    const bad: [string, unknown][] = [
      ['http elsewhere', { endpoint: 'http://push.example.com/x', keys: good.keys }],
      ['https on this machine', { endpoint: 'https://127.0.0.1/x', keys: good.keys }],
      ['https on a private network', { endpoint: 'https://10.1.2.3/x', keys: good.keys }],
      ['https on localhost', { endpoint: 'https://localhost/x', keys: good.keys }],
      ['IPv4-mapped loopback', { endpoint: 'https://[::ffff:127.0.0.1]/x', keys: good.keys }],
      ['IPv6 loopback', { endpoint: 'https://[::1]/x', keys: good.keys }],
      ['decimal loopback', { endpoint: 'https://2130706433/x', keys: good.keys }],
      ['longer once normalised', { endpoint: `https://push.example.com/${' '.repeat(700)}x`, keys: good.keys }],
      ['credentials', { endpoint: 'https://a:b@push.example.com/x', keys: good.keys }],
      ['not a URL', { endpoint: 'nothing at all', keys: good.keys }],
      ['short p256dh', { endpoint: good.endpoint, keys: { ...good.keys, p256dh: good.keys.p256dh.slice(0, 40) } }],
      ['long auth', { endpoint: good.endpoint, keys: { ...good.keys, auth: 'A'.repeat(65) } }],
      ['auth of 15 bytes', { endpoint: good.endpoint, keys: { ...good.keys, auth: 'A'.repeat(20) } }],
      ['endpoint too long', { endpoint: `https://push.example.com/${'x'.repeat(2100)}`, keys: good.keys }],
      ['no keys', { endpoint: good.endpoint }],
    ];
    for (const [why, body] of bad) {
      const r = await s.api.post(`${V}/me/push-subscriptions`, body, u.token);
      expect([why, r.status, r.body.error?.code]).toEqual([why, 400, 'VALIDATION_FAILED']);
    }
  });
});
