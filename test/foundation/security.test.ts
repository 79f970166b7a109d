import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';

describe('passwords are hashed with argon2id', () => {
  it('stores an argon2id hash with m ≥ 19 MiB and t ≥ 2, never the password', async () => {
    const s = await startServer({ realHasher: true });
    try {
      const a = await registerUser(s.api, 'argon');
      const row = await s.app.store.users.byId(a.user.id);
      const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(row!.password_hash);
      expect(m).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThanOrEqual(19 * 1024);
      expect(Number(m![2])).toBeGreaterThanOrEqual(2);
      expect(row!.password_hash).not.toContain(a.password);
      expect((await s.api.post('/api/v1/auth/login', { login: a.username, password: a.password })).status).toBe(200);
      // Tokens are stored only as a SHA-256 hash.
      const sessions = await s.app.store.sessions.listLive(a.user.id, Date.now());
      expect(sessions[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(sessions[0]!.token_hash).not.toBe(a.token);
    } finally {
      await s.close();
    }
  });
});

describe('logs', () => {
  it('never contain a token or a password, even on failures', async () => {
    const s = await startServer();
    try {
      const a = await registerUser(s.api, 'logs');
      await s.api.get('/api/v1/me', a.token);
      await s.api.get('/api/v1/me', `${a.token}x`);
      await s.api.post('/api/v1/auth/login', { login: a.username, password: 'wrong password here' });
      const again = await s.api.post('/api/v1/auth/login', { login: a.username, password: a.password });
      await s.api.post('/api/v1/me/password', { current: a.password, password: 'a brand new one' }, again.body.token);
      await s.api.post('/api/v1/auth/logout', {}, again.body.token);
      expect(s.logs.lines.length).toBeGreaterThan(5);
      for (const secret of [a.token, again.body.token, a.password, 'wrong password here', 'a brand new one']) {
        expect(s.logs.text).not.toContain(secret);
      }
    } finally {
      await s.close();
    }
  });
});

describe('login throttling', () => {
  let s: TestServer;
  const clock = new ManualClock(Date.now());
  beforeAll(async () => {
    s = await startServer({ clock, config: { loginAttempts: 3, loginWindow: 60_000 } });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('answers the same for a missing account and a wrong password', async () => {
    const a = await registerUser(s.api, 'same');
    const wrong = await s.api.post('/api/v1/auth/login', { login: a.username, password: 'not the password' });
    const missing = await s.api.post('/api/v1/auth/login', {
      login: 'nobody_here_at_all',
      password: 'not the password',
    });
    expect(wrong.status).toBe(401);
    expect(missing.status).toBe(401);
    expect(wrong.body).toEqual(missing.body);
  });

  it('refuses after a burst of failures, even with the right password, then lets the owner back in', async () => {
    const a = await registerUser(s.api, 'burst');
    const tries = await Promise.all(
      Array.from({ length: 6 }, () => s.api.post('/api/v1/auth/login', { login: a.username, password: 'guess guess' })),
    );
    expect(tries.every((t) => t.status === 401 || t.status === 429)).toBe(true);
    const locked = await s.api.post('/api/v1/auth/login', { login: a.username, password: a.password });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('TOO_MANY_ATTEMPTS');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    // A throttled unknown account looks exactly the same.
    for (let i = 0; i < 3; i++)
      await s.api.post('/api/v1/auth/login', { login: 'ghost_user_x', password: 'guess guess' });
    const ghost = await s.api.post('/api/v1/auth/login', { login: 'ghost_user_x', password: 'guess guess' });
    expect(ghost.status).toBe(429);
    expect(ghost.body).toEqual(locked.body);
    // Not for good: once the window passes, the owner logs in.
    clock.advance(61_000);
    expect((await s.api.post('/api/v1/auth/login', { login: a.username, password: a.password })).status).toBe(200);
  });

  it('expires sessions after their lifetime without use', async () => {
    const a = await registerUser(s.api, 'expire');
    expect((await s.api.get('/api/v1/me', a.token)).status).toBe(200);
    clock.advance(s.app.config.sessionTtl + 1000);
    const r = await s.api.get('/api/v1/me', a.token);
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('UNAUTHENTICATED');
  });
});
