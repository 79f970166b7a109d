import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import type { Connection } from '../../src/gateway/connection.js';
import type { ParleyClient } from '@parley/client';
import { testDialects } from '../support/databases.js';
import { DeliveryChecker } from '../support/delivery-checker.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { befriend } from '../support/social-fixtures.js';
import { RawSocket, connectClient, until } from '../support/ws-clients.js';

const LIMIT = 256 * 1024;
const TEXT = 30_000;

describe.each(testDialects())('slow consumer on %s', (dialect) => {
  let s: TestServer;
  const open: ParleyClient[] = [];
  beforeAll(async () => {
    s = await startServer({
      dialect,
      config: {
        slowConsumerBytes: LIMIT,
        textLimit: 60_000,
        frameLimit: 128 * 1024,
        messageRate: 100_000,
        messageBurst: 100_000,
        idleTimeout: 120_000,
      },
    });
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await s?.close();
  });

  it('a reader that stops reading is closed (4009) once its unsent buffer passes the limit, which never grows past limit + one frame; it then catches up in full', async () => {
    const a = await registerUser(s.api, 'fast');
    const b = await registerUser(s.api, 'slow');
    await befriend(s.app, a.user.id, b.user.id);
    const dm = dmId(a.user.id, b.user.id);
    const checker = new DeliveryChecker();
    const reader = await RawSocket.open(s.url, { token: b.token });
    await reader.next((f) => f.type === 'ready');
    // Watch the server's side of that socket: its unsent bytes after every write.
    const conn = s.app.gateway!.hub.all().find((c) => c.userId === b.user.id) as Connection;
    expect(conn).toBeDefined();
    let maxBuffered = 0;
    let largestFrame = 0;
    // Both write paths: acks and replies (`write`) and fan-out frames framed once (`writeFrame`).
    const write = conn.write.bind(conn);
    conn.write = (data) => {
      largestFrame = Math.max(
        largestFrame,
        (typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength) + 14,
      );
      write(data);
      maxBuffered = Math.max(maxBuffered, conn.buffered);
    };
    const writeFrame = conn.writeFrame.bind(conn);
    conn.writeFrame = (frame) => {
      largestFrame = Math.max(largestFrame, frame.bytes.byteLength);
      writeFrame(frame);
      maxBuffered = Math.max(maxBuffered, conn.buffered);
    };
    // Stop reading at the TCP level, as a stalled phone would.
    (reader.ws as unknown as { _socket: { pause(): void } })._socket.pause();

    const sender = await connectClient(s.url, a.token, 'json', {}, (c) => checker.attach('a1', a.user.id, c));
    open.push(sender);
    const text = 'z'.repeat(TEXT);
    for (let i = 0; i < 200 && s.app.gateway!.hub.connectionsOf(b.user.id) > 0; i++) {
      await Promise.all(Array.from({ length: 10 }, () => sender.send({ to: dm, kind: 'text', text })));
    }
    await until(() => s.app.gateway!.hub.connectionsOf(b.user.id) === 0, 10_000, 'slow consumer dropped');
    expect(maxBuffered).toBeGreaterThan(LIMIT);
    // The bound: the limit plus the one frame (with its WebSocket header) whose write crossed it.
    expect(maxBuffered).toBeLessThanOrEqual(LIMIT + largestFrame);
    // Writes after the close are dropped, not buffered.
    const frozen = conn.buffered;
    await sender.send({ to: dm, kind: 'text', text });
    expect(conn.buffered).toBeLessThanOrEqual(frozen);
    (reader.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await reader.closedWith(15_000)).toBe(4009);

    // The client reconnects and syncs: it gets everything, once, in order.
    const again = await connectClient(s.url, b.token, 'msgpack', {}, (c) => checker.attach('b-again', b.user.id, c));
    open.push(again);
    const members = { [dm]: [a.user.id, b.user.id] };
    await checker.settle(members, 30_000);
    checker.verify(members);
    expect(checker.duplicates()).toEqual([]);
    sender.close();
  }, 90_000);
});
