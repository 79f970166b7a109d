import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';

describe.each(testDialects())('accounts over HTTP on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ dialect });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('register → login → /me → change password → logout, end to end', async () => {
    const { api } = s;
    const reg = await api.post('/api/v1/auth/register', {
      username: 'Alice_1',
      password: 'first password',
      nickname: 'Alice',
      mobile: '+15550001',
    });
    expect(reg.status).toBe(201);
    expect(reg.body.user).toMatchObject({ username: 'Alice_1', nickname: 'Alice', mobile: '+15550001' });
    expect(reg.body.user.id).toMatch(/^[0-9a-z]{26}$/);
    expect(JSON.stringify(reg.body.user)).not.toMatch(/password|hash/i);
    const t1 = reg.body.token as string;

    // Log in by username in another case, and by mobile.
    const byName = await api.post('/api/v1/auth/login', {
      login: 'alice_1',
      password: 'first password',
      device: 'laptop',
    });
    expect(byName.status).toBe(200);
    const byMobile = await api.post('/api/v1/auth/login', {
      login: '+15550001',
      password: 'first password',
      device: 'phone',
    });
    expect(byMobile.status).toBe(200);
    const t2 = byName.body.token as string;
    const t3 = byMobile.body.token as string;

    const me = await api.get('/api/v1/me', t2);
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(reg.body.user.id);

    const sessions = await api.get('/api/v1/me/sessions', t2);
    expect(sessions.body.items).toHaveLength(3);
    expect(sessions.body.items.filter((x: any) => x.current)).toHaveLength(1);
    expect(sessions.body.items.map((x: any) => x.device)).toContain('phone');

    const wrong = await api.post('/api/v1/me/password', { current: 'not it at all', password: 'second password' }, t2);
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');

    const changed = await api.post(
      '/api/v1/me/password',
      { current: 'first password', password: 'second password' },
      t2,
    );
    expect(changed.status).toBe(200);
    // Every other session ended; this one lives on.
    expect((await api.get('/api/v1/me', t1)).status).toBe(401);
    expect((await api.get('/api/v1/me', t3)).status).toBe(401);
    expect((await api.get('/api/v1/me', t2)).status).toBe(200);
    expect((await api.post('/api/v1/auth/login', { login: 'alice_1', password: 'first password' })).status).toBe(401);
    expect((await api.post('/api/v1/auth/login', { login: 'alice_1', password: 'second password' })).status).toBe(200);

    const out = await api.post('/api/v1/auth/logout', {}, t2);
    expect(out.status).toBe(200);
    const after = await api.get('/api/v1/me', t2);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('updates the profile and revokes a single session', async () => {
    const a = await registerUser(s.api, 'bob');
    const patched = await s.api.patch('/api/v1/me', { nickname: 'Bobby', bio: 'hi', gender: 'other' }, a.token);
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ nickname: 'Bobby', bio: 'hi', gender: 'other' });

    const second = await s.api.post('/api/v1/auth/login', { login: a.username, password: a.password });
    const list = await s.api.get('/api/v1/me/sessions', a.token);
    const other = list.body.items.find((x: any) => !x.current);
    expect((await s.api.delete(`/api/v1/me/sessions/${other.id}`, a.token)).status).toBe(200);
    expect((await s.api.get('/api/v1/me', second.body.token)).status).toBe(401);
    // Revoking again, or revoking someone else's session, is a 404.
    expect((await s.api.delete(`/api/v1/me/sessions/${other.id}`, a.token)).status).toBe(404);
    const c = await registerUser(s.api, 'carol');
    const cs = await s.api.get('/api/v1/me/sessions', c.token);
    expect((await s.api.delete(`/api/v1/me/sessions/${cs.body.items[0].id}`, a.token)).status).toBe(404);
    expect((await s.api.get('/api/v1/me', c.token)).status).toBe(200);
  });

  it('shows public fields only and finds users by exact username or mobile', async () => {
    const a = await registerUser(s.api, 'dave', { mobile: '+15550002' });
    const b = await registerUser(s.api, 'erin');
    const pub = await s.api.get(`/api/v1/users/${a.user.id}`, b.token);
    expect(pub.status).toBe(200);
    expect(Object.keys(pub.body).sort()).toEqual(['avatar', 'bio', 'gender', 'id', 'nickname', 'username']);
    expect((await s.api.get(`/api/v1/users/${a.user.id}`)).status).toBe(401);

    const byName = await s.api.get(`/api/v1/users?q=${a.username.toUpperCase()}`, b.token);
    expect(byName.body.items.map((u: any) => u.id)).toEqual([a.user.id]);
    const byMobile = await s.api.get('/api/v1/users?q=%2B15550002', b.token);
    expect(byMobile.body.items.map((u: any) => u.id)).toEqual([a.user.id]);
    // A prefix is not a match: there is no way to list users.
    const prefix = await s.api.get(`/api/v1/users?q=${a.username.slice(0, 4)}`, b.token);
    expect(prefix.body.items).toEqual([]);
    expect((await s.api.get('/api/v1/users/00000000000000000000000000', b.token)).status).toBe(404);
  });

  it('answers every kind of bad input with a 4xx and a stable code, writing nothing', async () => {
    const { api } = s;
    const ok = { username: 'frank_x', password: 'long enough', nickname: 'Frank' };
    const cases: [unknown, number, string][] = [
      [{ ...ok, username: 'x' }, 400, 'VALIDATION_FAILED'],
      [{ ...ok, username: 'a'.repeat(40) }, 400, 'VALIDATION_FAILED'],
      [{ ...ok, password: 'short' }, 400, 'VALIDATION_FAILED'],
      [{ ...ok, password: 'p'.repeat(129) }, 400, 'VALIDATION_FAILED'],
      [{ ...ok, nickname: 42 }, 400, 'VALIDATION_FAILED'],
      [{ ...ok, nickname: '' }, 400, 'VALIDATION_FAILED'],
      [{ ...ok, admin: true }, 400, 'VALIDATION_FAILED'],
      [{ username: 'frank_x', password: 'long enough' }, 400, 'VALIDATION_FAILED'],
      [{ ...ok, mobile: 'call me' }, 400, 'VALIDATION_FAILED'],
      [{ ...ok, bio: 'b'.repeat(513) }, 400, 'VALIDATION_FAILED'],
      [[1, 2], 400, 'VALIDATION_FAILED'],
    ];
    for (const [body, status, code] of cases) {
      const r = await api.post('/api/v1/auth/register', body);
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(r.body.error.code).toBe(code);
      expect(typeof r.body.error.message).toBe('string');
    }
    const bad = await api.req('POST', '/api/v1/auth/register', { raw: '{"username": "x", ' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_JSON');
    const huge = await api.req('POST', '/api/v1/auth/register', {
      raw: JSON.stringify({ ...ok, bio: 'x'.repeat(400_000) }),
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const text = await api.req('POST', '/api/v1/auth/register', {
      raw: 'hello',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);

    // None of those created the account.
    expect((await api.post('/api/v1/auth/login', { login: 'frank_x', password: 'long enough' })).status).toBe(401);

    expect((await api.post('/api/v1/auth/register', { ...ok, mobile: '+15550003' })).status).toBe(201);
    const dupName = await api.post('/api/v1/auth/register', { ...ok, username: 'FRANK_X' });
    expect([dupName.status, dupName.body.error.code]).toEqual([409, 'USERNAME_TAKEN']);
    const dupMobile = await api.post('/api/v1/auth/register', { ...ok, username: 'frank_y', mobile: '+15550003' });
    expect([dupMobile.status, dupMobile.body.error.code]).toEqual([409, 'MOBILE_TAKEN']);
    expect((await api.post('/api/v1/auth/login', { login: 'frank_y', password: 'long enough' })).status).toBe(401);

    const noToken = await api.get('/api/v1/me');
    expect([noToken.status, noToken.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    const junk = await api.get('/api/v1/me', 'x'.repeat(43));
    expect(junk.status).toBe(401);
    const basic = await api.req('GET', '/api/v1/me', { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    expect(basic.status).toBe(401);
    const nowhere = await api.get('/api/v1/nowhere');
    expect([nowhere.status, nowhere.body.error.code]).toEqual([404, 'ROUTE_NOT_FOUND']);
  });
});
