import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { cli, tmpDir } from '../ops/processes.js';
import { V } from '../social/helpers.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';

describe.each(testDialects())('password reset with an operator code on %s', (dialect) => {
  let s: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  beforeAll(async () => {
    s = await startServer({ dialect, clock });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('a code sets a new password once; sessions end; old codes, wrong codes and expired codes fail alike', async () => {
    const { api } = s;
    const u = await registerUser(api, 'rst');
    const first = await s.app.services.recovery.issueReset(u.username);
    const second = await s.app.services.recovery.issueReset(u.username);
    expect(second.code).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    // Stored hashed: the code appears nowhere in the table.
    const rows = await s.app.store.conn.db.selectFrom('account_codes').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(second.code.replace(/-/g, ''));

    const fresh = 'a brand new password';
    for (const code of [first.code, 'aaaa-bbbb-cccc-dddd']) {
      const r = await api.post(`${V}/auth/reset`, { code, password: fresh });
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('INVALID_CODE');
    }
    // Case and dashes do not matter (people retype it).
    const ok = await api.post(`${V}/auth/reset`, {
      code: second.code.toUpperCase().replace(/-/g, ' '),
      password: fresh,
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect((await api.get(`${V}/me`, u.token)).status).toBe(401);
    expect((await api.post(`${V}/auth/login`, { login: u.username, password: u.password })).status).toBe(401);
    expect((await api.post(`${V}/auth/login`, { login: u.username, password: fresh })).status).toBe(200);
    // Single use.
    expect((await api.post(`${V}/auth/reset`, { code: second.code, password: 'yet another password' })).status).toBe(
      401,
    );

    // Expiry.
    const third = await s.app.services.recovery.issueReset(u.username);
    clock.advance(25 * 60 * 60_000);
    expect((await api.post(`${V}/auth/reset`, { code: third.code, password: 'yet another password' })).status).toBe(
      401,
    );

    // A weak new password is refused by the schema.
    const fourth = await s.app.services.recovery.issueReset(u.username);
    expect((await api.post(`${V}/auth/reset`, { code: fourth.code, password: 'short' })).status).toBe(400);
  });

  it('redemption attempts are throttled per address', async () => {
    clock.advance(60 * 60_000);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push(
        (await s.api.post(`${V}/auth/reset`, { code: `zzzz-zzzz-zzzz-zz${i}z`, password: 'a long password' })).status,
      );
    expect(statuses.slice(0, 10).every((x) => x === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });
});

describe('parley user reset-password', () => {
  it('prints a one-time code that the running server accepts', async () => {
    const dir = tmpDir('cli-reset');
    const db = { dialect: 'sqlite' as const, url: `sqlite:${path.join(dir, 'parley.db')}`, drop: async () => {} };
    const s = await startServer({ dataDir: dir, db });
    try {
      const u = await registerUser(s.api, 'clir');
      const out = cli(['user', 'reset-password', u.username], { PARLEY_DATA_DIR: dir });
      expect(out.stderr).toBe('');
      const code = out.stdout.match(/reset code for \S+ \(\w+\): ([a-z2-9-]{19})\n/)?.[1];
      expect(code, out.stdout).toBeDefined();
      expect((await s.api.post(`${V}/auth/reset`, { code, password: 'set by the user' })).status).toBe(200);
      expect((await s.api.post(`${V}/auth/login`, { login: u.username, password: 'set by the user' })).status).toBe(
        200,
      );
      const missing = cli(['user', 'reset-password', 'nobody_at_all'], { PARLEY_DATA_DIR: dir });
      expect(missing.status).toBe(2);
      expect(missing.stderr.trim()).toBe('parley: USER_NOT_FOUND: No such user');
    } finally {
      await s.app.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
