import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { V } from '../social/helpers.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';

describe.each(testDialects())('TOTP two-factor sign-in on %s', (dialect) => {
  let s: TestServer;
  // A manual clock: codes are computed for the server's "now", and steps move on when we say.
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12, 0, 0));
  beforeAll(async () => {
    s = await startServer({ dialect, clock });
  });
  afterAll(async () => {
    await s?.close();
  });
  const codeFor = (secret: string) =>
    new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: clock.now() });
  /** Next time step, and enough time for the attempt budget to refill. */
  const later = () => clock.advance(5 * 60_000);

  it('enrols with a QR code, confirms, then login needs the code; replay and bad codes are refused', async () => {
    const { api } = s;
    const u = await registerUser(api, 'tfa');
    expect((await api.get(`${V}/me/2fa`, u.token)).body).toEqual({ totp: false, recoveryCodesLeft: 0 });
    expect((await api.post(`${V}/me/2fa/totp`, { password: 'wrong password' }, u.token)).status).toBe(401);
    const start = await api.post(`${V}/me/2fa/totp`, { password: u.password }, u.token);
    expect(start.status).toBe(200);
    expect(start.body.uri).toMatch(/^otpauth:\/\/totp\/Parley:.+\?.*secret=[A-Z2-7]+/);
    expect(start.body.uri).toContain(start.body.secret);
    expect(start.body.qr).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(start.body.qr.split(',')[1], 'base64').toString()).toContain('<svg');
    const secret: string = start.body.secret;

    // Pending until confirmed: login still gives a session.
    expect((await api.post(`${V}/auth/login`, { login: u.username, password: u.password })).status).toBe(200);
    const wrong = await api.post(`${V}/me/2fa/totp/confirm`, { code: '000000' }, u.token);
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_CODE');
    const ok = await api.post(`${V}/me/2fa/totp/confirm`, { code: codeFor(secret) }, u.token);
    expect(ok.status).toBe(200);
    const recovery: string[] = ok.body.recoveryCodes;
    expect(recovery).toHaveLength(10);
    expect(new Set(recovery).size).toBe(10);
    for (const c of recovery) expect(c).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    // Stored hashed only.
    const rows = await s.app.store.conn.db
      .selectFrom('recovery_codes')
      .selectAll()
      .where('user_id', '=', u.user.id)
      .execute();
    expect(rows).toHaveLength(10);
    for (const r of rows) expect(recovery.some((c) => r.code_hash.includes(c.replace(/-/g, '')))).toBe(false);
    expect((await api.get(`${V}/me/2fa`, u.token)).body).toEqual({ totp: true, recoveryCodesLeft: 10 });

    // Login now answers a challenge, not a session.
    const step1 = await api.post(`${V}/auth/login`, { login: u.username, password: u.password });
    expect(step1.status).toBe(202);
    expect(step1.body).toEqual({ twoFactor: 'totp', challenge: expect.any(String), expiresAt: expect.any(Number) });
    expect(step1.body.token).toBeUndefined();
    // The code that confirmed enrolment (same time step) is a replay.
    const replay = await api.post(`${V}/auth/login/totp`, { challenge: step1.body.challenge, code: codeFor(secret) });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('INVALID_CODE');
    later();
    expect((await api.post(`${V}/me/2fa/totp`, { password: u.password }, u.token)).body.error.code).toBe(
      'TOTP_ALREADY_ENABLED',
    );
    const code = codeFor(secret);
    const c2 = (await api.post(`${V}/auth/login`, { login: u.username, password: u.password })).body.challenge;
    const step2 = await api.post(`${V}/auth/login/totp`, { challenge: c2, code });
    expect(step2.status).toBe(200);
    expect((await api.get(`${V}/me`, step2.body.token)).body.id).toBe(u.user.id);
    // The challenge is single use, and so is the code.
    expect((await api.post(`${V}/auth/login/totp`, { challenge: c2, code })).status).toBe(401);
    const again = await api.post(`${V}/auth/login`, { login: u.username, password: u.password });
    expect((await api.post(`${V}/auth/login/totp`, { challenge: again.body.challenge, code })).body.error.code).toBe(
      'INVALID_CODE',
    );

    // A recovery code works once.
    later();
    const c3 = (await api.post(`${V}/auth/login`, { login: u.username, password: u.password })).body.challenge;
    const viaRecovery = await api.post(`${V}/auth/login/totp`, { challenge: c3, code: recovery[0] });
    expect(viaRecovery.status).toBe(200);
    const third = await api.post(`${V}/auth/login`, { login: u.username, password: u.password });
    expect(
      (await api.post(`${V}/auth/login/totp`, { challenge: third.body.challenge, code: recovery[0] })).status,
    ).toBe(401);
    expect((await api.get(`${V}/me/2fa`, u.token)).body.recoveryCodesLeft).toBe(9);

    // A challenge expires.
    later();
    const stale = await api.post(`${V}/auth/login`, { login: u.username, password: u.password });
    clock.advance(6 * 60_000);
    expect(
      (await api.post(`${V}/auth/login/totp`, { challenge: stale.body.challenge, code: codeFor(secret) })).status,
    ).toBe(401);

    // Disabling needs the password and a code.
    later();
    expect(
      (await api.post(`${V}/me/2fa/totp/disable`, { password: 'wrong password', code: codeFor(secret) }, u.token))
        .status,
    ).toBe(401);
    later();
    const off = await api.post(`${V}/me/2fa/totp/disable`, { password: u.password, code: codeFor(secret) }, u.token);
    expect(off.status).toBe(200);
    expect((await api.get(`${V}/me/2fa`, u.token)).body).toEqual({ totp: false, recoveryCodesLeft: 0 });
    expect((await api.post(`${V}/auth/login`, { login: u.username, password: u.password })).status).toBe(200);
  });

  it('meters code attempts per account', async () => {
    const { api } = s;
    const u = await registerUser(api, 'tfb');
    const start = await api.post(`${V}/me/2fa/totp`, { password: u.password }, u.token);
    expect((await api.post(`${V}/me/2fa/totp/confirm`, { code: codeFor(start.body.secret) }, u.token)).status).toBe(
      200,
    );
    later();
    const ch = (await api.post(`${V}/auth/login`, { login: u.username, password: u.password })).body.challenge;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++)
      statuses.push((await api.post(`${V}/auth/login/totp`, { challenge: ch, code: '123456' })).status);
    expect(statuses.slice(0, 5).every((x) => x === 401)).toBe(true);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    // Even the right code waits for the budget.
    expect((await api.post(`${V}/auth/login/totp`, { challenge: ch, code: codeFor(start.body.secret) })).status).toBe(
      429,
    );
  });
});
