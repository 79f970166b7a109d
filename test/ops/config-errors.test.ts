import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { cli, freePort, tmpDir } from './processes.js';

const SECRET_PW = 'hunter2-not-for-logs';

/** One line on stderr, exit 2, no stack, none of the given secrets. */
function expectOneLine(r: { status: number | null; stderr: string }, secrets: string[] = [SECRET_PW]) {
  expect(r.status).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  for (const s of secrets) expect(r.stderr).not.toContain(s);
  return lines[0]!;
}

describe('config and startup errors', () => {
  it('a malformed database URL is refused with its password masked', () => {
    const line = expectOneLine(cli(['migrate'], { PARLEY_DB: `postgresq://parley:${SECRET_PW}@db.example/parley` }));
    expect(line).toBe(
      'parley: PARLEY_DB (--db): expected sqlite:<path>, postgres://… or mysql://…, got "postgresq://parley:***@db.example/parley"',
    );
  });

  it('an unreachable database names PARLEY_DB, masked', async () => {
    const port = await freePort();
    const line = expectOneLine(
      cli(['migrate'], { PARLEY_DB: `postgres://parley:${SECRET_PW}@127.0.0.1:${port}/parley` }),
    );
    expect(line).toBe(
      `parley: PARLEY_DB: cannot connect to postgres://parley:***@127.0.0.1:${port}/parley: ECONNREFUSED`,
    );
  });

  it('a wrong MySQL password names PARLEY_DB and never shows the password', () => {
    const line = expectOneLine(cli(['migrate'], { PARLEY_DB: `mysql://nobody_here:${SECRET_PW}@127.0.0.1:3306/test` }));
    expect(line).toMatch(
      /^parley: PARLEY_DB: cannot connect to mysql:\/\/nobody_here:\*\*\*@127\.0\.0\.1:3306\/test: /,
    );
  });

  it('a secret setting is never echoed, not even when it is refused', () => {
    const line = expectOneLine(cli(['serve'], { PARLEY_SECRET: 'tooShortButSecret' }), ['tooShortButSecret']);
    expect(line).toBe('parley: PARLEY_SECRET: expected at least 32 characters, got 17 characters');
  });

  it('a Redis URL with a password is masked', () => {
    const line = expectOneLine(cli(['serve'], { PARLEY_REDIS: `redis-x://:${SECRET_PW}@127.0.0.1:6379` }));
    expect(line).toContain('redis-x://:***@127.0.0.1:6379');
  });

  it('unreadable TLS files name their variable', () => {
    const dir = tmpDir('tls');
    const line = expectOneLine(
      cli(['serve'], {
        PARLEY_DATA_DIR: dir,
        PARLEY_TLS_CERT: '/nonexistent/cert.pem',
        PARLEY_TLS_KEY: '/nonexistent/key.pem',
      }),
    );
    expect(line).toBe('parley: PARLEY_TLS_CERT: cannot read /nonexistent/cert.pem: ENOENT');
  });

  it('PORT is read when PARLEY_PORT is unset, and named in its error', () => {
    expect(expectOneLine(cli(['serve'], { PORT: 'eighty' }))).toBe(
      'parley: PORT: expected an integer from 0 to 65535, got "eighty"',
    );
    // PARLEY_PORT wins over PORT: a good PARLEY_PORT hides a bad PORT, so the next error is the secret's.
    expect(expectOneLine(cli(['serve'], { PORT: 'eighty', PARLEY_PORT: '0', PARLEY_SECRET: 'x' }), [])).toContain(
      'PARLEY_SECRET',
    );
  });

  it('PORT is the port the server listens on', async () => {
    const port = await freePort();
    const dir = tmpDir('port');
    const { spawn } = await import('node:child_process');
    const env: Record<string, string | undefined> = {
      ...process.env,
      PORT: String(port),
      PARLEY_HOST: '127.0.0.1',
      PARLEY_DATA_DIR: dir,
      PARLEY_LOG_LEVEL: 'warn',
    };
    delete env.PARLEY_PORT;
    const child = spawn(process.execPath, ['--conditions=@parley/source', '--import', 'tsx', 'src/main.ts'], {
      env,
      stdio: 'ignore',
    });
    try {
      const end = Date.now() + 30_000;
      let ok = false;
      while (!ok && Date.now() < end) {
        ok = await new Promise<boolean>((r) => {
          const sock = net
            .connect(port, '127.0.0.1')
            .on('connect', () => {
              sock.end();
              r(true);
            })
            .on('error', () => r(false));
        });
        if (!ok) await new Promise((r) => setTimeout(r, 100));
      }
      expect(ok).toBe(true);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 60_000);
});
