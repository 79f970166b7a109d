import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisServer } from '../support/redis-server.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/** Sends PING through `port`; resolves with the reply, or the error code. */
function ping(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const t = setTimeout(() => {
      s.destroy();
      resolve('TIMEOUT');
    }, 1000);
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => {
      clearTimeout(t);
      s.destroy();
      resolve(d.toString().trim());
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(t);
      resolve(e.code ?? 'ERROR');
    });
  });
}

/** The fault tools themselves: what the cluster fault tests rely on. */
describe('fault tools', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  it('RedisServer: private, stops answering when crashed, same port after restart', async () => {
    const server = await RedisServer.start();
    cleanup.push(() => server.stop());
    expect(server.port).not.toBe(6379);
    expect(await ping(server.port)).toBe('+PONG');
    await server.crash();
    expect(server.running).toBe(false);
    expect(await ping(server.port)).toBe('ECONNREFUSED');
    await server.restart();
    expect(await ping(server.port)).toBe('+PONG');
  });

  it('TcpProxy: forwards, cuts open connections, refuses, blackholes and restores on the same port', async () => {
    const server = await RedisServer.start();
    cleanup.push(() => server.stop());
    const proxy = await TcpProxy.start({ port: server.port });
    cleanup.push(() => proxy.close());
    const port = proxy.port;
    expect(await ping(port)).toBe('+PONG');

    const open = net.connect({ host: '127.0.0.1', port });
    await new Promise((r) => open.once('connect', r));
    const closed = new Promise((r) => open.once('close', r));
    open.on('error', () => {});
    await new Promise((r) => setTimeout(r, 20));
    expect(proxy.connections).toBe(1);
    proxy.cut();
    await closed;

    await proxy.refuse();
    expect(await ping(port)).toBe('ECONNREFUSED');
    await proxy.restore();
    expect(proxy.port).toBe(port);
    expect(await ping(port)).toBe('+PONG');

    proxy.blackhole();
    expect(await ping(port)).toBe('TIMEOUT');
    await proxy.restore();
    expect(await ping(port)).toBe('+PONG');
  });
});
