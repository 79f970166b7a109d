import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logFormat } from '../../src/logger.js';
import { type TestServer, startServer } from '../support/server.js';
import { type Proc, freePort, run, tmpDir } from '../ops/processes.js';

type Line = Record<string, any>;
const parse = (s: TestServer): Line[] => s.logs.lines.map((l) => JSON.parse(l) as Line);
/** The request log lines of one path. */
const requestLines = (s: TestServer, url: string) =>
  parse(s).filter(
    (l) => l.req?.url === url || (l.res && parse(s).some((i) => i.reqId === l.reqId && i.req?.url === url)),
  );

describe('log format selection', () => {
  it('is human-readable on a terminal and JSON otherwise, unless the setting says which', () => {
    expect(logFormat('auto', { isTTY: true })).toBe('pretty');
    expect(logFormat('auto', { isTTY: false })).toBe('json');
    expect(logFormat('auto', {})).toBe('json');
    expect(logFormat('json', { isTTY: true })).toBe('json');
    expect(logFormat('pretty', { isTTY: false })).toBe('pretty');
  });
});

describe('log lines of a server process', () => {
  const procs: Proc[] = [];
  const dirs: string[] = [];
  afterAll(() => {
    for (const p of procs) p.child.kill('SIGKILL');
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  const start = async (env: Record<string, string>) => {
    const dir = tmpDir('logs');
    dirs.push(dir);
    const p = run(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
      PARLEY_PORT: String(await freePort()),
      PARLEY_HOST: '127.0.0.1',
      PARLEY_DATA_DIR: dir,
      PARLEY_NODE_ID: 'node-7',
      ...env,
    });
    procs.push(p);
    return p;
  };

  it('writes JSON lines, each naming the node, when stdout is a pipe', async () => {
    const p = await start({});
    const line = await p.logLine('parley listening');
    expect(line.nodeId).toBe('node-7');
    expect(line.level).toBe(30);
    for (const l of p.stdout) expect(JSON.parse(l).nodeId).toBe('node-7');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  }, 90_000);

  it('writes human-readable lines with PARLEY_LOG_FORMAT=pretty', async () => {
    const p = await start({ PARLEY_LOG_FORMAT: 'pretty' });
    const end = Date.now() + 60_000;
    while (!p.stdout.some((l) => l.includes('parley listening')) && Date.now() < end && p.child.exitCode === null)
      await new Promise((r) => setTimeout(r, 50));
    const line = p.stdout.find((l) => l.includes('parley listening'));
    expect(line, p.stderr.join('\n')).toBeDefined();
    expect(() => JSON.parse(line!)).toThrow();
    expect(line).toMatch(/INFO/);
    expect(p.stdout.join('\n')).toContain('nodeId: "node-7"');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  }, 90_000);
});

describe('request logs', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ config: { logLevel: 'debug', nodeId: 'n-logs' } });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('logs probes and scrapes at debug, other requests at info, every line with the node id', async () => {
    for (const p of ['/healthz', '/readyz', '/metrics', '/api/v1/me']) await fetch(s.url + p);
    for (const p of ['/healthz', '/readyz', '/metrics']) {
      const lines = requestLines(s, p);
      expect(lines.map((l) => l.msg).sort(), p).toEqual(['incoming request', 'request completed']);
      for (const l of lines) expect(l.level, p).toBe(20);
    }
    const api = requestLines(s, '/api/v1/me');
    expect(api.map((l) => l.msg)).toContain('incoming request');
    expect(api.find((l) => l.msg === 'incoming request')!.level).toBe(30);
    expect(api.find((l) => l.msg === 'request completed')!.level).toBe(30);
    for (const l of parse(s)) expect(l.nodeId).toBe('n-logs');
  });

  it('honours a sane X-Request-Id, echoes it and logs under it; replaces one that is not', async () => {
    const given = 'lb-7f3a9c.42:trace';
    const r = await fetch(`${s.url}/api/v1/me`, { headers: { 'x-request-id': given } });
    expect(r.headers.get('x-request-id')).toBe(given);
    const mine = parse(s).filter((l) => l.reqId === given);
    expect(mine.map((l) => l.msg)).toEqual(expect.arrayContaining(['incoming request', 'request completed']));

    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    for (const bad of ['x'.repeat(129), 'two words', '{"inject":1}', '']) {
      const b = await fetch(`${s.url}/api/v1/me`, { headers: { 'x-request-id': bad } });
      const id = b.headers.get('x-request-id');
      expect(id, bad).toMatch(uuid);
      expect(
        parse(s).some((l) => l.reqId === bad && bad !== ''),
        bad,
      ).toBe(false);
    }
    const a = (await fetch(`${s.url}/healthz`)).headers.get('x-request-id');
    const b = (await fetch(`${s.url}/healthz`)).headers.get('x-request-id');
    expect(a).toMatch(uuid);
    expect(b).toMatch(uuid);
    expect(a).not.toBe(b);
    // Refusals carry it too.
    const nf = await fetch(`${s.url}/api/v1/nope`, { headers: { 'x-request-id': 'probe-1' } });
    expect(nf.status).toBe(404);
    expect(nf.headers.get('x-request-id')).toBe('probe-1');
  });
});

describe('request logs at info', () => {
  it('leave probes and scrapes out', async () => {
    const s = await startServer();
    try {
      for (const p of ['/healthz', '/readyz', '/metrics', '/api/v1/me']) await fetch(s.url + p);
      await new Promise((r) => setTimeout(r, 50));
      expect(s.logs.text).not.toMatch(/"url":"\/(healthz|readyz|metrics)"/);
      expect(s.logs.text).toContain('"url":"/api/v1/me"');
    } finally {
      await s.close();
    }
  });
});
