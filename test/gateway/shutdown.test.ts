import { describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import type { AckFrame } from '@parley/client';
import { testDialects } from '../support/databases.js';
import { registerUser, startServer } from '../support/server.js';
import { befriend } from '../support/social-fixtures.js';
import { RawSocket } from '../support/ws-clients.js';

describe.each(testDialects())('graceful shutdown on %s', (dialect) => {
  it('closes sockets with 1001 after flushing the writer: every ack sent is stored', async () => {
    const s = await startServer({ dialect, config: { messageRate: 10_000, messageBurst: 10_000, commitWindow: 50 } });
    try {
      const a = await registerUser(s.api, 'a');
      const b = await registerUser(s.api, 'b');
      await befriend(s.app, a.user.id, b.user.id);
      const dm = dmId(a.user.id, b.user.id);
      const ws = await RawSocket.open(s.url, { token: a.token, codec: 'msgpack' });
      await ws.next((f) => f.type === 'ready');
      for (let i = 0; i < 30; i++) ws.send({ type: 'send', clientId: `q${i}`, to: dm, kind: 'text', text: `q${i}` });
      await ws.next((f) => f.type === 'ack');
      const closing = s.app.close();
      expect(await ws.closedWith()).toBe(1001);
      await closing;
      const acks = ws.frames.filter((f): f is AckFrame => f.type === 'ack');
      const s2 = await startServer({ db: s.db, dataDir: s.dataDir });
      try {
        const h = await s2.api.get(`/api/v1/conversations/${dm}/messages?after=0&limit=200`, a.token);
        const stored = new Set(h.body.items.map((e: any) => e.clientId));
        expect(stored.has('q0')).toBe(true);
        for (const ack of acks) expect(stored.has(ack.clientId)).toBe(true);
      } finally {
        await s2.close();
      }
    } finally {
      await s.db.drop();
    }
  });
});
