import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Proc, alive, ensureBuilt, freePort, run, tmpDir } from './processes.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Writes raw HTTP/1.1 on one keep-alive connection and collects what comes back. */
function rawConnection(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (c) => (received += c.toString('utf8')));
  const closed = new Promise<void>((r) => socket.on('close', () => r()));
  socket.on('error', () => {});
  return { socket, closed, text: () => received };
}

describe('npm start under a supervisor', () => {
  let dir: string;
  let server: Proc | undefined;
  beforeAll(async () => {
    await ensureBuilt();
    dir = tmpDir('signals');
  }, 600_000);
  afterAll(() => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('SIGTERM to the npm process stops the server cleanly: exit 0, WAL checkpointed, acked message kept', async () => {
    const port = await freePort();
    const env = { PARLEY_PORT: String(port), PARLEY_HOST: '127.0.0.1', PARLEY_DATA_DIR: dir, PARLEY_LOG_LEVEL: 'info' };
    const npmRun = run(npm, ['start', '--silent'], env);
    server = npmRun;
    const listening = await npmRun.logLine('parley listening');
    const serverPid = Number(listening.pid);
    expect(serverPid).not.toBe(npmRun.child.pid);
    const base = `http://127.0.0.1:${port}/api/v1`;
    const call = async (method: string, p: string, token?: string, body?: unknown) => {
      const r = await fetch(base + p, {
        method,
        headers: {
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: r.status, body: (await r.json()) as any };
    };
    const alice = (
      await call('POST', '/auth/register', undefined, {
        username: 'sig_alice',
        password: 'long enough pw',
        nickname: 'Alice',
      })
    ).body;
    const bob = (
      await call('POST', '/auth/register', undefined, {
        username: 'sig_bob',
        password: 'long enough pw',
        nickname: 'Bob',
      })
    ).body;
    const request = await call('POST', '/contacts/requests', alice.token, { userId: bob.user.id });
    expect(request.status).toBe(201);
    expect((await call('POST', `/contacts/requests/${request.body.id}/accept`, bob.token)).status).toBe(200);
    const cid = encodeURIComponent(
      alice.user.id < bob.user.id ? `dm:${alice.user.id}:${bob.user.id}` : `dm:${bob.user.id}:${alice.user.id}`,
    );
    const sent = await call('POST', `/conversations/${cid}/messages`, alice.token, {
      clientId: 'c-signal-1',
      kind: 'text',
      text: 'kept across restarts',
    });
    expect(sent.status).toBe(201);

    npmRun.child.kill('SIGTERM');
    expect(await npmRun.exited).toBe(0);
    expect(alive(serverPid)).toBe(false);
    expect(
      npmRun.stdout.filter((l) => l.includes('"msg":"stopped"')),
      npmRun.stdout.join('\n'),
    ).toHaveLength(1);
    // The last connection closed checkpoints the WAL into the database and removes it.
    const wal = path.join(dir, 'parley.db-wal');
    expect(fs.existsSync(wal) ? fs.statSync(wal).size : 0).toBe(0);

    // Restart on the same data: the session and what was acked are there.
    const again = run(process.execPath, ['dist/main.js', 'serve'], env);
    server = again;
    await again.logLine('parley listening');
    const history = await call('GET', `/conversations/${cid}/messages`, bob.token);
    expect(history.status).toBe(200);
    expect(history.body.items.map((e: { text?: string }) => e.text)).toContain('kept across restarts');
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  }, 120_000);

  it('drains keep-alive connections: the request in flight completes, a new one gets the coded 503, exit 0 within the grace', async () => {
    const port = await freePort();
    const grace = 8000;
    const env = {
      PARLEY_PORT: String(port),
      PARLEY_HOST: '127.0.0.1',
      PARLEY_DATA_DIR: dir,
      PARLEY_LOG_LEVEL: 'info',
      PARLEY_SHUTDOWN_GRACE: `${grace}ms`,
    };
    const npmRun = run(npm, ['start', '--silent'], env);
    server = npmRun;
    const serverPid = Number((await npmRun.logLine('parley listening')).pid);

    // Keep-alive connection 1: a finished request, then idle (what a browser or a proxy holds).
    const idle = rawConnection(port);
    idle.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    // Keep-alive connection 2: a request whose body is still arriving when the signal lands.
    const body = JSON.stringify({ username: 'drain_bob', password: 'long enough pw', nickname: 'Bob' });
    const slow = rawConnection(port);
    slow.socket.write(
      `POST /api/v1/auth/register HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
    );
    // Keep-alive connection 3: a request whose headers are still arriving.
    const late = rawConnection(port);
    late.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    await new Promise((r) => setTimeout(r, 300));
    expect(idle.text()).toContain('200 OK');

    const t0 = Date.now();
    npmRun.child.kill('SIGTERM');
    await npmRun.logLine('shutting down');
    await new Promise((r) => setTimeout(r, 500));
    late.socket.write('Connection: keep-alive\r\n\r\n');
    slow.socket.write(body.slice(10));

    await Promise.all([idle.closed, slow.closed, late.closed]);
    expect(slow.text()).toMatch(/^HTTP\/1\.1 201/);
    expect(slow.text().toLowerCase()).toContain('connection: close');
    expect(slow.text()).toContain('"drain_bob"');
    expect(late.text()).toMatch(/^HTTP\/1\.1 503/);
    const lateBody = JSON.parse(late.text().split('\r\n\r\n')[1]!);
    expect(lateBody.error.code).toBe('UNAVAILABLE');

    expect(await npmRun.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(grace);
    expect(alive(serverPid)).toBe(false);
    expect(npmRun.stdout.some((l) => l.includes('grace period passed'))).toBe(false);
    const wal = path.join(dir, 'parley.db-wal');
    expect(fs.existsSync(wal) ? fs.statSync(wal).size : 0).toBe(0);
  }, 120_000);
});
