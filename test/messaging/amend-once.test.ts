import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import type { ServerFrame } from '@parley/client';
import { type U, V, befriend, db, users } from '../social/helpers.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, startServer } from '../support/server.js';
import { RawSocket } from '../support/ws-clients.js';

/**
 * A recall or edit is applied once. The writer commits a batch as soon as it holds two items
 * (and otherwise after a long window), so two amendments sent together from two devices land in
 * one transaction whatever the machine's speed: both passed the service's check, and only the
 * writer's re-check inside the transaction can refuse the second.
 */
describe.each(testDialects())('a recall or edit applies once on %s', (dialect) => {
  let s: TestServer;
  let a: U;
  let b: U;
  let cid: string;
  let n = 0;
  const sockets: RawSocket[] = [];
  beforeAll(async () => {
    s = await startServer({ dialect, config: { commitBatch: 2, commitWindow: 1500 } });
    [a, b] = await users(s.api, 'am', 'amb');
    await befriend(s.api, a, b);
    cid = dmId(a.user.id, b.user.id);
  });
  afterEach(() => {
    for (const x of sockets.splice(0)) x.close();
  });
  afterAll(async () => {
    await s?.close();
  });

  const device = async () => {
    const ws = await RawSocket.open(s.url, { token: a.token });
    sockets.push(ws);
    await ws.next((f) => f.type === 'ready');
    return ws;
  };
  /** Two messages of a, sent together (one batch); their seqs. */
  const twoMessages = async () => {
    const sent = await Promise.all(
      [0, 1].map((i) =>
        s.api.post(`${V}/conversations/${cid}/messages`, { clientId: `t${n++}`, kind: 'text', text: `m${i}` }, a.token),
      ),
    );
    for (const r of sent) expect(r.status, JSON.stringify(r.body)).toBe(201);
    return sent.map((r) => r.body.seq as number);
  };
  const answer = (ws: RawSocket, clientId: string) =>
    ws.next((f) => (f.type === 'ack' || f.type === 'error') && (f as { clientId?: string }).clientId === clientId);
  const amendmentsOf = async (seq: number) => {
    const rows = await db(s)
      .selectFrom('entries')
      .select(['kind'])
      .where('conversation_id', '=', cid)
      .where('target_seq', '=', seq)
      .orderBy('seq')
      .execute();
    return rows.map((r) => r.kind);
  };
  const frame = (kind: 'recall' | 'edit', seq: number) => {
    const clientId = `${kind}-${n++}`;
    return kind === 'recall'
      ? { type: 'recall', clientId, conversation: cid, seq }
      : { type: 'edit', clientId, conversation: cid, seq, text: `edited ${clientId}` };
  };
  const outcome = (f: ServerFrame) => (f.type === 'ack' ? 'ack' : (f as { code: string }).code);

  it.each(['recall', 'edit'] as const)(
    'two %ss of one message from two devices in one commit: one applies, the other is CONFLICT',
    async (kind) => {
      const [seq] = await twoMessages();
      const [d1, d2] = [await device(), await device()];
      const f1 = frame(kind, seq!);
      const f2 = frame(kind, seq!);
      d1.send(f1);
      d2.send(f2);
      const got = [outcome(await answer(d1, f1.clientId)), outcome(await answer(d2, f2.clientId))];
      expect(got.sort()).toEqual(['CONFLICT', 'ack']);
      expect(await amendmentsOf(seq!)).toEqual([kind]);
    },
  );

  it('a recall and an edit in one commit: never an edit after the recall', async () => {
    const [seq] = await twoMessages();
    const [d1, d2] = [await device(), await device()];
    const recall = frame('recall', seq!);
    const edit = frame('edit', seq!);
    d1.send(recall);
    d2.send(edit);
    expect(outcome(await answer(d1, recall.clientId))).toBe('ack');
    // Whichever reached the writer first: an edit before the recall applies (and is recalled
    // with it); an edit after it is CONFLICT.
    const edited = outcome(await answer(d2, edit.clientId));
    expect(['ack', 'CONFLICT']).toContain(edited);
    expect(await amendmentsOf(seq!)).toEqual(edited === 'ack' ? ['edit', 'recall'] : ['recall']);
    const target = await db(s)
      .selectFrom('entries')
      .selectAll()
      .where('conversation_id', '=', cid)
      .where('seq', '=', seq!)
      .executeTakeFirstOrThrow();
    expect(target.recalled_at).not.toBeNull();
  });

  it('two recalls back-to-back on one socket: one recall entry, the second is CONFLICT', async () => {
    const [seq] = await twoMessages();
    const d = await device();
    const f1 = frame('recall', seq!);
    const f2 = frame('recall', seq!);
    d.send(f1);
    d.send(f2);
    expect(outcome(await answer(d, f1.clientId))).toBe('ack');
    expect(outcome(await answer(d, f2.clientId))).toBe('CONFLICT');
    expect(await amendmentsOf(seq!)).toEqual(['recall']);
  });

  it('edits made one after the other (each from the current text) all apply', async () => {
    const [seq, other] = await twoMessages();
    const d = await device();
    // Pairs with an edit of the other message, so each batch fills at once.
    for (let i = 0; i < 2; i++) {
      const mine = frame('edit', seq!);
      const filler = frame('edit', other!);
      const d2 = await device();
      d.send(mine);
      d2.send(filler);
      expect(outcome(await answer(d, mine.clientId))).toBe('ack');
      expect(outcome(await answer(d2, filler.clientId))).toBe('ack');
    }
    expect(await amendmentsOf(seq!)).toEqual(['edit', 'edit']);
  });
});
