import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../../fixtures/databases.js';
import { testDialects } from '../support/databases.js';
import { registerUser, startServer } from '../support/server.js';
import { cli, tmpDir } from './processes.js';

const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));

describe('parley command line', () => {
  it('--help lists the commands and config flags; --version the package version; mistakes exit 2', () => {
    const help = cli(['--help']);
    expect(help.status).toBe(0);
    for (const word of [
      'serve',
      'migrate',
      'user create',
      'user disable',
      'backup',
      'copy-store',
      '--data-dir',
      'PARLEY_DB',
    ])
      expect(help.stdout).toContain(word);
    expect(cli(['-v']).stdout.trim()).toBe(`parley ${pkg.version}`);
    const unknown = cli(['frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim()).toBe('parley: unknown command "frobnicate" (see parley --help)');
    const flag = cli(['serve', '--no-such-flag']);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--no-such-flag'");
    expect(cli(['copy-store', '--from', 'sqlite:x.db']).status).toBe(2);
  }, 60_000);

  it('user create, then user disable: login refused with ACCOUNT_DISABLED and the sessions ended', async () => {
    const dir = tmpDir('cli-user');
    const env = { PARLEY_DATA_DIR: dir };
    try {
      const created = cli(['user', 'create', 'operator_made', '--nickname', 'Op'], {
        ...env,
        PARLEY_USER_PASSWORD: 'long enough pw',
      });
      expect(created.stderr).toBe('');
      expect(created.stdout).toMatch(/^created user operator_made \(\w+\)\n$/);
      const weak = cli(['user', 'create', 'weak_one', '--password', 'short'], env);
      expect(weak.status).toBe(2);
      expect(weak.stderr).toContain('the password does not meet the sign-up rules');

      // The CLI hashes with argon2id, so the server must verify with it too.
      const s = await startServer({
        realHasher: true,
        dataDir: dir,
        db: { dialect: 'sqlite', url: `sqlite:${path.join(dir, 'parley.db')}`, drop: async () => {} },
      });
      try {
        const login = await s.api.post('/api/v1/auth/login', { login: 'operator_made', password: 'long enough pw' });
        expect(login.status).toBe(200);
        // Disabled from another process while the server runs.
        const disabled = cli(['user', 'disable', 'operator_made'], env);
        expect(disabled.stderr).toBe('');
        expect(disabled.stdout).toMatch(/disabled user operator_made .*1 session\(s\) ended/);
        expect((await s.api.get('/api/v1/me', login.body.token)).status).toBe(401);
        const again = await s.api.post('/api/v1/auth/login', { login: 'operator_made', password: 'long enough pw' });
        expect(again.status).toBe(403);
        expect(again.body.error.code).toBe('ACCOUNT_DISABLED');
        // A wrong password still says only that.
        const wrong = await s.api.post('/api/v1/auth/login', { login: 'operator_made', password: 'not the password' });
        expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
        const missing = cli(['user', 'disable', 'nobody_at_all'], env);
        expect(missing.status).toBe(2);
        expect(missing.stderr.trim()).toBe('parley: USER_NOT_FOUND: No such user');
      } finally {
        await s.app.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('backup copies the SQLite database while the server runs; the copy opens by itself', async () => {
    const s = await startServer({ dialect: 'sqlite' });
    const out = path.join(tmpDir('backup'), 'nested', 'backup.db');
    try {
      const u = await registerUser(s.api, 'backed');
      const r = cli(['backup', out], { PARLEY_DB: s.db.url });
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^backed up .* to .*backup\.db \(\d+ pages\)\n$/);
      expect(fs.existsSync(`${out}-wal`)).toBe(false);
      const copy = new SQLite(out, { readonly: true });
      try {
        expect(copy.prepare('select username from users where id = ?').get(u.user.id)).toEqual({
          username: u.username,
        });
        expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        copy.close();
      }
      expect(cli(['backup', out], { PARLEY_DB: s.db.url }).status).toBe(2);
      expect(cli(['backup', out], { PARLEY_DB: 'postgres://u:pw@127.0.0.1/x' }).stderr).toContain('is not SQLite');
    } finally {
      await s.close();
    }
  }, 60_000);

  for (const dialect of testDialects()) {
    it(`migrate adds users.disabled_at on ${dialect}, and disabling works there`, async () => {
      const db = await freshDatabase(dialect);
      try {
        const m = cli(['migrate'], { PARLEY_DB: db.url, PARLEY_DATA_DIR: tmpDir('migrate') });
        expect(m.stderr).toBe('');
        expect(m.stdout).toBe('migrations applied\n');
        const s = await startServer({ db });
        try {
          const u = await registerUser(s.api, 'dis');
          const r = await s.app.services.accounts.disable(u.username);
          expect(r).toEqual({ userId: u.user.id, sessionsEnded: 1 });
          const row = await s.app.store.users.byId(u.user.id);
          expect(typeof row?.disabled_at).toBe('number');
          const login = await s.api.post('/api/v1/auth/login', { login: u.username, password: u.password });
          expect(login.body.error.code).toBe('ACCOUNT_DISABLED');
        } finally {
          await s.app.close();
        }
      } finally {
        await db.drop();
      }
    }, 60_000);
  }
});
