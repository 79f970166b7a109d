import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import * as wsModule from 'ws';
import { WebSocket, WebSocketServer } from 'ws';
import { prepareFrame } from '../../src/gateway/prepared-frame.js';
import { assertWsInternals, checkWsInternals, SocketWriter } from '../../src/gateway/socket-writer.js';

describe('ws internals check', () => {
  it('passes on the installed ws', () => {
    expect(checkWsInternals(wsModule)).toEqual([]);
    expect(() => assertWsInternals()).not.toThrow();
  });

  it('names every missing piece of a ws without them, and the assertion throws', () => {
    expect(checkWsInternals({})).toEqual([
      'the `Sender` export is gone (prepareFrame frames with `Sender.frame`)',
      'the `WebSocket` export is gone',
    ]);
    expect(() => assertWsInternals({})).toThrow(
      /lacks internals[\s\S]*`Sender` export is gone[\s\S]*`WebSocket` export is gone/,
    );
  });

  it('catches renamed fields and a bufferedAmount that stopped counting the socket', () => {
    // A ws whose Sender and WebSocket exist but whose private fields moved.
    class Sender {
      static frame() {
        return [];
      }
      queue: unknown[] = [];
    }
    class Ws {
      socket = null;
      _sender = null;
      get bufferedAmount() {
        return 0;
      }
    }
    const problems = checkWsInternals({ Sender, WebSocket: Ws });
    expect(problems).toEqual([
      '`Sender#_queue` is no longer an array (a raw write must not overtake frames queued there)',
      '`Sender#_bufferedBytes` is gone (bufferedAmount must count queued frames)',
      '`WebSocket#_socket` is gone (the write path writes to and corks it)',
      "`WebSocket#bufferedAmount` no longer counts the TCP socket's buffer plus the Sender's (the slow-consumer limit would not see raw writes)",
    ]);
    expect(() => assertWsInternals({ Sender, WebSocket: Ws })).toThrow(/WebSocket#_socket/);
  });
});

describe('SocketWriter over a real socket', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });

  /** A loopback ws pair: the server side for the writer, the client side to read. */
  async function pair(): Promise<{ srv: WebSocket; client: WebSocket; got: string[] }> {
    server = createServer();
    const wss = new WebSocketServer({ server, perMessageDeflate: false });
    const srvP = new Promise<WebSocket>((r) => wss.once('connection', r));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const got: string[] = [];
    client.on('message', (d) => got.push(String(d)));
    await new Promise((r) => client.once('open', r));
    const srv = await srvP;
    server.once('close', () => wss.close());
    return { srv, client, got };
  }

  it('raw prepared frames and ws.send writes of one tick arrive whole and in order', async () => {
    const { srv, client, got } = await pair();
    let sent = 0;
    const w = new SocketWriter(srv, 1 << 20, {
      isClosed: () => false,
      onSent: () => sent++,
      onSlowConsumer: () => {
        throw new Error('not slow');
      },
    });
    w.write('one');
    w.writeFrame(prepareFrame('two', false));
    w.write('three');
    w.writeFrame(prepareFrame('four', false));
    await expect.poll(() => got.length).toBe(4);
    expect(got).toEqual(['one', 'two', 'three', 'four']);
    expect(sent).toBe(2); // raw frames are counted by the hub, not here
    client.close();
  });

  it('a reader that stops reading trips the bound once; nothing is written after close', async () => {
    const { srv, client, got } = await pair();
    (client as unknown as { _socket: { pause(): void } })._socket.pause();
    let closed = false;
    let slow = 0;
    const limit = 64 * 1024;
    const w = new SocketWriter(srv, limit, {
      isClosed: () => closed,
      onSent: () => {},
      onSlowConsumer: () => {
        slow++;
        closed = true;
      },
    });
    const frame = prepareFrame('x'.repeat(16 * 1024), false);
    for (let i = 0; i < 2000 && !closed; i++) {
      w.writeFrame(frame);
      if (i % 20 === 19) await new Promise((r) => setImmediate(r));
    }
    expect(slow).toBe(1);
    const held = w.buffered;
    // Bounded per write: at most the limit plus one frame went unsent when the bound tripped.
    expect(held).toBeLessThanOrEqual(limit + frame.bytes.length);
    w.writeFrame(frame);
    w.write('late');
    expect(w.buffered).toBe(held);
    expect(got.includes('late')).toBe(false);
    client.terminate();
  });
});
