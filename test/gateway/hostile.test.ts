import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { dmId } from '../../src/domain/conversation-id.js';
import type { AckFrame, ErrorFrame } from '@parley/client';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { befriend } from '../support/social-fixtures.js';
import { RawSocket } from '../support/ws-clients.js';

const isErr = (code: string) => (f: { type: string; code?: string }) => f.type === 'error' && f.code === code;

describe.each(testDialects())('hostile frames on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    // A manual clock: the rate limiter's bucket never refills during the test, however slow the machine.
    s = await startServer({
      dialect,
      clock: new ManualClock(Date.now()),
      config: { frameLimit: 4096, messageRate: 5, messageBurst: 5, commitWindow: 0 },
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  it.each(['json', 'msgpack'] as const)(
    'invalid, unknown, mistyped and forged frames get error frames; the connection keeps working (%s)',
    async (codec) => {
      const a = await registerUser(s.api, 'a');
      const b = await registerUser(s.api, 'b');
      await befriend(s.app, a.user.id, b.user.id);
      const dm = dmId(a.user.id, b.user.id);
      const ws = await RawSocket.open(s.url, { codec, token: a.token });
      await ws.next((f) => f.type === 'ready');

      if (codec === 'json') {
        ws.ws.send('{"type": "send", oops');
        await ws.next(isErr('INVALID_JSON'));
        ws.ws.send(Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80]));
        await ws.next(isErr('INVALID_JSON'));
        ws.ws.send('[1,2,3]');
        await ws.next(isErr('VALIDATION_FAILED'));
      } else {
        ws.ws.send('{"type":"ping"}'); // text under msgpack
        await ws.next(isErr('INVALID_FRAME'));
        ws.ws.send(Buffer.from([0xc1, 0xc1, 0xc1]));
        await ws.next(isErr('INVALID_FRAME'));
      }
      ws.send({ type: 'explode' });
      await ws.next(isErr('UNKNOWN_FRAME'));
      ws.send({ type: 'send', clientId: 'w1', to: dm, kind: 'text', text: 42 });
      const wrong = await ws.next<ErrorFrame>(isErr('VALIDATION_FAILED'));
      expect(wrong.clientId).toBe('w1');
      ws.send({ type: 'send', clientId: 'w2', to: dm, kind: 'text', text: 'x', sender: b.user.id });
      expect((await ws.next<ErrorFrame>(isErr('VALIDATION_FAILED'))).message).toMatch(/sender|additional|property/i);
      ws.send({ type: 'read', conversation: dm, seq: -1 });
      await ws.next(isErr('VALIDATION_FAILED'));
      ws.send({ type: 'send', clientId: 'w3', to: 'not-a-conversation', kind: 'text', text: 'x' });
      await ws.next(isErr('VALIDATION_FAILED'));

      // Still serving: ping and a real send.
      ws.send({ type: 'ping', id: 7 });
      expect(await ws.next((f) => f.type === 'pong')).toMatchObject({ id: 7 });
      ws.send({ type: 'send', clientId: `ok-${codec}`, to: dm, kind: 'text', text: 'fine' });
      const ack = await ws.next<AckFrame>((f) => f.type === 'ack');
      expect(ack.clientId).toBe(`ok-${codec}`);
      const rows = await s.app.store.conn.db
        .selectFrom('entries')
        .select('sender_id')
        .where('conversation_id', '=', dm)
        .execute();
      expect(rows.map((r) => r.sender_id)).toEqual([a.user.id]);
      ws.close();
    },
  );

  it('an oversized frame closes with 1009; others keep being served', async () => {
    const a = await registerUser(s.api, 'a');
    const ws = await RawSocket.open(s.url, { token: a.token });
    await ws.next((f) => f.type === 'ready');
    const other = await RawSocket.open(s.url, { token: a.token });
    await other.next((f) => f.type === 'ready');
    ws.ws.send(JSON.stringify({ type: 'ping', id: 'x'.repeat(5000) }));
    expect(await ws.closedWith()).toBe(1009);
    other.send({ type: 'ping', id: 1 });
    await other.next((f) => f.type === 'pong');
    other.close();
  });

  it('repeated garbage closes with 1008', async () => {
    const a = await registerUser(s.api, 'a');
    const ws = await RawSocket.open(s.url, { token: a.token });
    await ws.next((f) => f.type === 'ready');
    for (let i = 0; i < 25; i++) ws.ws.send('garbage');
    expect(await ws.closedWith()).toBe(1008);
  });

  it('a flood over the rate limit gets RATE_LIMITED error frames, REST shares the budget, others are served', async () => {
    const a = await registerUser(s.api, 'a');
    const b = await registerUser(s.api, 'b');
    await befriend(s.app, a.user.id, b.user.id);
    const dm = dmId(a.user.id, b.user.id);
    const ws = await RawSocket.open(s.url, { token: a.token, codec: 'msgpack' });
    await ws.next((f) => f.type === 'ready');
    for (let i = 0; i < 20; i++) ws.send({ type: 'send', clientId: `f${i}`, to: dm, kind: 'text', text: `f${i}` });
    const outcomes: string[] = [];
    while (outcomes.length < 20) {
      const f = await ws.next((x) => x.type === 'ack' || x.type === 'error');
      outcomes.push(f.type === 'ack' ? 'ack' : (f as ErrorFrame).code);
      // RATE_LIMITED is temporary in the catalogue: the frame says so, for clients to resend.
      if (f.type === 'error') expect((f as ErrorFrame).temporary).toBe(true);
    }
    expect(outcomes.filter((o) => o === 'ack').length).toBe(5);
    expect(outcomes.filter((o) => o === 'RATE_LIMITED').length).toBe(15);
    const rest = await s.api.post(
      `/api/v1/conversations/${dm}/messages`,
      { clientId: 'r1', kind: 'text', text: 'x' },
      a.token,
    );
    expect(rest.status).toBe(429);
    expect(rest.body.error).toMatchObject({ code: 'RATE_LIMITED', temporary: true });
    expect(Number(rest.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const wb = await RawSocket.open(s.url, { token: b.token });
    await wb.next((f) => f.type === 'ready');
    wb.send({ type: 'send', clientId: 'b1', to: dm, kind: 'text', text: 'unaffected' });
    await wb.next((f) => f.type === 'ack');
    ws.close();
    wb.close();
  });
});
