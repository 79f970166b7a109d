import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, settings } from '../../src/config.js';

describe('config', () => {
  it('has working defaults: port 8080, SQLite under ./data, in-memory bus', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.db).toBe('sqlite:data/parley.db');
    expect(c.redis).toBeUndefined();
    expect(c.frameLimit).toBe(64 * 1024);
    expect(c.pingInterval).toBe(25_000);
    expect(c.idleTimeout).toBe(60_000);
  });

  it('reads env vars and flags, flags winning, with units for sizes and durations', () => {
    const c = loadConfig(
      {
        PARLEY_PORT: '9000',
        PARLEY_DATA_DIR: '/tmp/x',
        PARLEY_UPLOAD_LIMIT: '5MiB',
        PARLEY_PING_INTERVAL: '10s',
        PARLEY_ORIGINS: 'https://a.example, https://b.example',
      },
      ['--port', '9001', '--log-level=warn'],
    );
    expect(c.port).toBe(9001);
    expect(c.logLevel).toBe('warn');
    expect(c.db).toBe('sqlite:/tmp/x/parley.db');
    expect(c.uploadLimit).toBe(5 << 20);
    expect(c.pingInterval).toBe(10_000);
    expect(c.origins).toEqual(['https://a.example', 'https://b.example']);
  });

  it.each([
    ['PARLEY_PORT', 'eighty', /PARLEY_PORT.*integer from 0 to 65535.*"eighty"/],
    ['PARLEY_PORT', '70000', /PARLEY_PORT/],
    ['PARLEY_DB', 'oracle://x', /PARLEY_DB.*sqlite:<path>, postgres:\/\/… or mysql:\/\//],
    ['PARLEY_REDIS', 'localhost', /PARLEY_REDIS.*redis:\/\//],
    ['PARLEY_ROLE', 'boss', /PARLEY_ROLE.*all, gateway, api/],
    ['PARLEY_PING_INTERVAL', 'soon', /PARLEY_PING_INTERVAL.*duration/],
    ['PARLEY_UPLOAD_LIMIT', 'big', /PARLEY_UPLOAD_LIMIT.*size/],
    ['PARLEY_TRUST_PROXY', 'maybe', /PARLEY_TRUST_PROXY.*true or false/],
    ['PARLEY_ORIGINS', 'evil.example', /PARLEY_ORIGINS/],
    ['PARLEY_SECRET', 'short', /PARLEY_SECRET.*32/],
    ['PARLEY_REGISTER_RATE', '20', /PARLEY_REGISTER_RATE.*<count>\/<period>/],
    ['PARLEY_LOOKUP_RATE', '0/1m', /PARLEY_LOOKUP_RATE.*count 1 to/],
    ['PARLEY_GROUP_ADD_RATE', '5/10ms', /PARLEY_GROUP_ADD_RATE.*at least 1s/],
  ])('refuses %s=%s with one line naming the variable', (name, value, pattern) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      expect((e as Error).message).toMatch(pattern);
      expect((e as Error).message).not.toContain('\n');
    }
  });

  it('reads abuse limits as <count>/<period> token buckets, shown as written', () => {
    const c = loadConfig({ PARLEY_REGISTER_RATE: ' 5 / 10m ' });
    expect(c.registerRate).toMatchObject({ count: 5, periodMs: 600_000 });
    expect(c.registerRate.perSecond).toBeCloseTo(5 / 600);
    expect(String(c.registerRate)).toBe('5/10m');
    expect(String(loadConfig({}).lookupRate)).toBe('30/1m');
    expect(loadConfig({}).hashConcurrency).toBe(2);
  });

  it('bounds slow HTTP clients by default (10 s for headers, 15 min for a whole request) and refuses a request timeout shorter than the headers timeout', () => {
    const c = loadConfig({});
    expect(c.httpHeadersTimeout).toBe(10_000);
    expect(c.httpRequestTimeout).toBe(15 * 60_000);
    expect(loadConfig({ PARLEY_HTTP_REQUEST_TIMEOUT: '0' }).httpRequestTimeout).toBe(0);
    expect(() => loadConfig({ PARLEY_HTTP_HEADERS_TIMEOUT: '30s', PARLEY_HTTP_REQUEST_TIMEOUT: '20s' })).toThrow(
      /PARLEY_HTTP_REQUEST_TIMEOUT: expected 0 or at least/,
    );
  });

  it('needs both TLS files or neither, and refuses unknown flags', () => {
    expect(() => loadConfig({ PARLEY_TLS_CERT: '/x.pem' })).toThrow(/PARLEY_TLS_CERT and PARLEY_TLS_KEY/);
    expect(() => loadConfig({}, ['--prot', '1'])).toThrow(/--prot: unknown flag/);
  });

  it('stops the real process with exit code 2 and one clear line, no stack trace', () => {
    const r = spawnSync(process.execPath, ['--conditions=@parley/source', '--import', 'tsx', 'src/main.ts', 'serve'], {
      env: { ...process.env, PARLEY_PORT: 'eighty' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^parley: PARLEY_PORT/);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('README documents every setting', () => {
    const readme = fs.readFileSync('README.md', 'utf8');
    const missing = Object.values(settings)
      .map((s) => s.env)
      .filter((env) => !readme.includes(`\`${env}\``));
    expect(missing).toEqual([]);
  });
});
