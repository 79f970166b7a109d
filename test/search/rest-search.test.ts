import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import { type U, V, befriend, groupWith, users } from '../social/helpers.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, startServer } from '../support/server.js';
import { RawSocket } from '../support/ws-clients.js';

/** Message search over real HTTP (edits and recalls over the socket), on every dialect. */
describe.each(testDialects())('GET /api/v1/search on %s', (dialect) => {
  let s: TestServer;
  let a: U;
  let b: U;
  let c: U;
  let dm: string;
  let gid: string;
  let n = 0;
  const send = async (cid: string, who: U, text: string) => {
    const r = await s.api.post(
      `${V}/conversations/${cid}/messages`,
      { clientId: `r${n++}`, kind: 'text', text },
      who.token,
    );
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.seq as number;
  };
  const search = (who: U, query: string) => s.api.get(`${V}/search?${query}`, who.token);

  beforeAll(async () => {
    s = await startServer({ dialect, config: { messageRate: 10_000, messageBurst: 10_000 } });
    [a, b, c] = await users(s.api, 'sa', 'sb', 'sc');
    await befriend(s.api, a, b);
    dm = dmId(a.user.id, b.user.id);
    gid = (await groupWith(s.api, a, [c])).conversation;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('finds CJK substrings and accent/case variants, newest first, across conversations', async () => {
    const s1 = await send(dm, a, '我在北京工作');
    const s2 = await send(gid, c, 'Rendez-vous au CAFÉ');
    const s3 = await send(dm, b, 'café? 北京烤鸭!');
    const r = await search(a, `q=${encodeURIComponent('北京')}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.items.map((h: any) => [h.conversation, h.seq])).toEqual([
      [dm, s3],
      [dm, s1],
    ]);
    expect(r.body.items[1]).toMatchObject({
      sender: a.user.id,
      kind: 'text',
      snippet: { text: '我在北京工作', highlights: [[2, 4]] },
    });
    const cafe = await search(a, 'q=Cafe');
    expect(cafe.body.items.map((h: any) => [h.conversation, h.seq])).toEqual([
      [dm, s3],
      [gid, s2],
    ]);
    // b is not in the group: only the DM.
    const forB = await search(b, 'q=cafe');
    expect(forB.body.items.map((h: any) => h.conversation)).toEqual([dm]);
    const inGroup = await search(a, `q=cafe&conversation=${encodeURIComponent(gid)}`);
    expect(inGroup.body.items.map((h: any) => h.seq)).toEqual([s2]);
  });

  it('pages with an opaque cursor', async () => {
    const seqs: number[] = [];
    for (let i = 0; i < 5; i++) seqs.push(await send(dm, a, `pagination marker ${i}`));
    const got: number[] = [];
    let cursor = '';
    for (let page = 0; page < 10; page++) {
      const r = await search(a, `q=marker&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(2);
      got.push(...r.body.items.map((h: any) => h.seq));
      if (!r.body.next) break;
      cursor = r.body.next;
    }
    expect(got).toEqual(seqs.reverse());
  });

  it('searches an edit by its latest text and drops a recalled message', async () => {
    const edited = await send(dm, a, 'first draft wording');
    const recalled = await send(dm, a, 'oops unique blunder');
    const ws = await RawSocket.open(s.url, { token: a.token });
    try {
      await ws.next((f) => f.type === 'ready');
      ws.send({ type: 'edit', clientId: `e${n++}`, conversation: dm, seq: edited, text: 'final polished wording' });
      await ws.next((f) => f.type === 'ack');
      ws.send({ type: 'recall', clientId: `x${n++}`, conversation: dm, seq: recalled });
      await ws.next((f) => f.type === 'ack' && f.seq !== edited);
    } finally {
      ws.close();
    }
    expect((await search(a, 'q=draft')).body.items).toEqual([]);
    const polished = await search(b, 'q=polished');
    expect(polished.body.items).toHaveLength(1);
    expect(polished.body.items[0]).toMatchObject({ seq: edited, editedAt: expect.any(Number) });
    expect((await search(a, 'q=blunder')).body.items).toEqual([]);
  });

  it('answers bad queries with stable 400 codes', async () => {
    const code = async (q: string) => {
      const r = await search(a, q);
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      return r.body.error.code;
    };
    expect(await code('q=a')).toBe('QUERY_TOO_SHORT');
    expect(await code('q=')).toBe('QUERY_TOO_SHORT');
    expect(await code(`q=${'long'.repeat(51)}`)).toBe('QUERY_TOO_LONG');
    expect(await code('q=cafe&limit=51')).toBe('VALIDATION_FAILED');
    expect(await code('q=cafe&cursor=bm9wZQ')).toBe('VALIDATION_FAILED');
    expect(await code('q=cafe&cursor=not%20base64')).toBe('VALIDATION_FAILED');
    const none = await search(c, `q=cafe&conversation=${encodeURIComponent(dm)}`);
    expect(none.status).toBe(403);
    expect(none.body.error.code).toBe('FORBIDDEN');
  });
});
