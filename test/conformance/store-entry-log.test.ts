import { describe, expect, it } from 'vitest';
import { groupConversationId } from '../../src/domain/conversation-id.js';
import { newId } from '../../src/domain/ids.js';
import type { WriteItem } from '../../src/store/entry-log.js';
import type { Store } from '../../src/store/store.js';
import { testDialects } from '../support/databases.js';
import { NOW, dmText, newDm, storesFor } from './store-setup.js';

/** Seqs stored in a conversation, ascending, and its max_seq. */
async function seqsOf(store: Store, cid: string) {
  const rows = await store.conversations.entriesAfter(cid, 0, Number.MAX_SAFE_INTEGER, 10_000);
  const conv = await store.conversations.get(cid);
  return { seqs: rows.map((r) => Number(r.seq)), maxSeq: conv ? Number(conv.max_seq) : undefined };
}

const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe.each(testDialects())('Store entry log on %s', (dialect) => {
  const stores = storesFor(dialect);

  describe('dedup of (sender, clientId)', () => {
    it('answers a clientId stored by an earlier batch with the original row and writes nothing', async () => {
      const dm = newDm();
      const [first] = await stores.a().entryLog.commit([dmText(dm, dm.users[0], 'hello', 'same')], NOW);
      expect(first!.duplicate).toBe(false);
      // Same key, other text, later time: the stored row wins, from either node.
      const [again] = await stores.b().entryLog.commit([dmText(dm, dm.users[0], 'changed', 'same')], NOW + 5);
      expect(again!.duplicate).toBe(true);
      expect(again!.row.id).toBe(first!.row.id);
      expect(Number(again!.row.seq)).toBe(Number(first!.row.seq));
      expect(JSON.parse(again!.row.body)).toEqual({ text: 'hello' });
      expect(await seqsOf(stores.a(), dm.cid)).toEqual({ seqs: [1], maxSeq: 1 });
    });

    it('writes the first copy of a key within one batch and answers the others with it', async () => {
      const dm = newDm();
      const [s0, s1] = dm.users;
      const out = await stores
        .a()
        .entryLog.commit(
          [
            dmText(dm, s0, 'one', 'k1'),
            dmText(dm, s0, 'one again', 'k1'),
            dmText(dm, s1, 'other sender, same clientId', 'k1'),
            dmText(dm, s0, 'two', 'k2'),
            dmText(dm, s0, 'one, third copy', 'k1'),
          ],
          NOW,
        );
      expect(out.map((o) => o.duplicate)).toEqual([false, true, false, false, true]);
      expect(out[1]!.row.id).toBe(out[0]!.row.id);
      expect(out[4]!.row.id).toBe(out[0]!.row.id);
      expect(new Set(out.map((o) => o.row.id)).size).toBe(3);
      expect(
        out
          .filter((o) => !o.duplicate)
          .map((o) => Number(o.row.seq))
          .sort(),
      ).toEqual([1, 2, 3]);
      expect(await seqsOf(stores.a(), dm.cid)).toEqual({ seqs: [1, 2, 3], maxSeq: 3 });
    });

    it('mixes stored keys and new ones in one batch', async () => {
      const dm = newDm();
      const s = dm.users[0];
      const [old] = await stores.a().entryLog.commit([dmText(dm, s, 'old', 'old')], NOW);
      const out = await stores
        .a()
        .entryLog.commit([dmText(dm, s, 'new', 'new'), dmText(dm, s, 'old resent', 'old')], NOW + 1);
      expect(out.map((o) => o.duplicate)).toEqual([false, true]);
      expect(out[1]!.row.id).toBe(old!.row.id);
      expect(Number(out[0]!.row.seq)).toBe(2);
    });

    it('stores one row when two nodes commit the same key at once', async () => {
      for (let round = 0; round < 5; round++) {
        const dm = newDm();
        const item = dmText(dm, dm.users[0], 'raced');
        const [[x], [y]] = await Promise.all([
          stores.a().entryLog.commit([item], NOW),
          stores.b().entryLog.commit([item], NOW),
        ]);
        expect(x!.row.id).toBe(y!.row.id);
        expect([x!.duplicate, y!.duplicate].filter(Boolean)).toHaveLength(1);
        expect(await seqsOf(stores.a(), dm.cid)).toEqual({ seqs: [1], maxSeq: 1 });
      }
    });
  });

  describe('seqs', () => {
    it('numbers each conversation on its own, from 1, in batch order', async () => {
      const p = newDm(),
        q = newDm();
      const out = await stores
        .a()
        .entryLog.commit(
          [
            dmText(p, p.users[0], 'p1'),
            dmText(q, q.users[1], 'q1'),
            dmText(p, p.users[1], 'p2'),
            dmText(q, q.users[0], 'q2'),
            dmText(p, p.users[0], 'p3'),
          ],
          NOW,
        );
      expect(out.map((o) => [o.row.conversation_id, Number(o.row.seq), JSON.parse(o.row.body).text])).toEqual([
        [p.cid, 1, 'p1'],
        [q.cid, 1, 'q1'],
        [p.cid, 2, 'p2'],
        [q.cid, 2, 'q2'],
        [p.cid, 3, 'p3'],
      ]);
    });

    it('stays gap-free and unique per conversation under parallel commits from two nodes', async () => {
      const convs = [newDm(), newDm(), newDm()];
      const perCommit = 6;
      const commits = 16;
      const batches = Array.from({ length: commits }, (_, c) =>
        Array.from({ length: perCommit }, (_, k) => {
          // Every commit touches the first conversation; the others are spread out.
          const dm = k === 0 ? convs[0]! : convs[(c + k) % convs.length]!;
          return dmText(dm, dm.users[k % 2]!, `c${c}k${k}`);
        }),
      );
      const outs = await Promise.all(
        batches.map((b, i) => (i % 2 ? stores.b() : stores.a()).entryLog.commit(b, NOW + i)),
      );
      const flat = outs.flat();
      expect(flat.every((o) => !o.duplicate)).toBe(true);
      for (const dm of convs) {
        const mine = flat.filter((o) => o.row.conversation_id === dm.cid);
        const stored = await seqsOf(stores.a(), dm.cid);
        expect(stored.seqs).toEqual(oneTo(mine.length));
        expect(stored.maxSeq).toBe(mine.length);
        expect(mine.map((o) => Number(o.row.seq)).sort((x, y) => x - y)).toEqual(oneTo(mine.length));
      }
      // Within one batch, a conversation's items keep their order.
      for (const out of outs) {
        for (const dm of convs) {
          const seqs = out.filter((o) => o.row.conversation_id === dm.cid).map((o) => Number(o.row.seq));
          expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
          if (seqs.length) expect(seqs.at(-1)! - seqs[0]!).toBe(seqs.length - 1);
        }
      }
    });

    it('continues after the seqs that group writes appended to the same conversation', async () => {
      const gid = newId();
      const owner = newId();
      await stores.a().groups.write.create({
        id: gid,
        name: 'seqs',
        avatar: null,
        notice: '',
        joinPolicy: 'open',
        ownerId: owner,
        memberIds: [],
        max: 10,
        now: NOW,
        describe: () => ({ system: { type: 'created' }, events: [] }),
      });
      const cid = groupConversationId(gid);
      const item: WriteItem = {
        conversationId: cid,
        conversationKind: 'group',
        senderId: owner,
        clientId: newId(),
        kind: 'text',
        body: { text: 'hi' },
      };
      const [out] = await stores.b().entryLog.commit([item], NOW);
      expect(Number(out!.row.seq)).toBe(2);
      expect(await seqsOf(stores.a(), cid)).toEqual({ seqs: [1, 2], maxSeq: 2 });
    });
  });

  describe('batches of every size', () => {
    // Group commits come in any size, over many conversations at once (the multi-row insert is
    // chunked, the seq reservation is one statement per 500 conversations): every message is
    // numbered, stored and deduplicated exactly once.
    it.each([7, 37, 129, 300])(
      'stores %i messages over 5 conversations gap-free and dedups their resend',
      async (n) => {
        const dms = Array.from({ length: 5 }, () => newDm());
        const items = Array.from({ length: n }, (_, i) => {
          const dm = dms[i % 5]!;
          return dmText(dm, dm.users[i % 2]!, `m${i}`);
        });
        const out = await stores.a().entryLog.commit(items, NOW);
        expect(out.filter((o) => o.duplicate)).toHaveLength(0);
        for (const [k, dm] of dms.entries()) {
          const count = Math.floor(n / 5) + (k < n % 5 ? 1 : 0);
          expect(await seqsOf(stores.a(), dm.cid)).toEqual({ seqs: oneTo(count), maxSeq: count });
        }
        const again = await stores.b().entryLog.commit(items, NOW + 1);
        expect(again.every((o) => o.duplicate)).toBe(true);
        expect(again.map((o) => o.row.id)).toEqual(out.map((o) => o.row.id));
      },
    );
  });

  describe('whole-batch rollback', () => {
    it('commits nothing of a batch in which one item fails', async () => {
      const kept = newDm(),
        fresh = newDm();
      await stores.a().entryLog.commit([dmText(kept, kept.users[0], 'before')], NOW);
      const bad = dmText(fresh, fresh.users[0], 'unstorable');
      bad.body = { n: 1n }; // JSON cannot hold a bigint: this item fails inside the transaction
      const batch = [dmText(kept, kept.users[0], 'lost 1'), dmText(fresh, fresh.users[1], 'lost 2'), bad];
      await expect(stores.a().entryLog.commit(batch, NOW + 1)).rejects.toThrow();
      expect(await seqsOf(stores.a(), kept.cid)).toEqual({ seqs: [1], maxSeq: 1 });
      // The conversation and member rows the batch would have created are gone too.
      expect(await stores.a().conversations.get(fresh.cid)).toBeUndefined();
      expect(await stores.a().conversations.member(fresh.cid, fresh.users[0])).toBeUndefined();
      for (const it of batch)
        expect(await stores.a().conversations.byClientId(it.senderId, it.clientId)).toBeUndefined();

      // The same writer then commits to the conversation the failed batch had started.
      const [ok] = await stores.a().entryLog.commit([dmText(fresh, fresh.users[0], 'after')], NOW + 2);
      expect(Number(ok!.row.seq)).toBe(1);
      expect((await stores.a().conversations.memberships(fresh.users[1])).map((m) => m.conversationId)).toEqual([
        fresh.cid,
      ]);
      const [next] = await stores.a().entryLog.commit([dmText(kept, kept.users[1], 'after')], NOW + 2);
      expect(Number(next!.row.seq)).toBe(2);
    });

    it('leaves the target of a recall or edit untouched when its batch fails', async () => {
      const dm = newDm();
      const s = dm.users[0];
      const [orig] = await stores.a().entryLog.commit([dmText(dm, s, 'original')], NOW);
      const bad = dmText(dm, s, 'unstorable');
      bad.body = { n: 1n };
      const recall: WriteItem = {
        ...dmText(dm, s, ''),
        kind: 'recall',
        body: {},
        targetSeq: 1,
        effect: { type: 'recall' },
      };
      await expect(stores.a().entryLog.commit([recall, bad], NOW + 1)).rejects.toThrow();
      const row = await stores.a().conversations.entry(dm.cid, 1);
      expect(row!.recalled_at).toBeNull();
      expect(row!.id).toBe(orig!.row.id);
      expect(await seqsOf(stores.a(), dm.cid)).toEqual({ seqs: [1], maxSeq: 1 });
    });
  });

  describe('recall and edit effects', () => {
    it('edits the target in the transaction that stores the edit entry', async () => {
      const dm = newDm();
      const s = dm.users[0];
      await stores.a().entryLog.commit([{ ...dmText(dm, s, 'typo'), body: { text: 'typo', mentions: ['x'] } }], NOW);
      const edit: WriteItem = {
        ...dmText(dm, s, ''),
        kind: 'edit',
        body: { text: 'fixed' },
        targetSeq: 1,
        effect: { type: 'edit', text: 'fixed' },
      };
      const [out] = await stores.b().entryLog.commit([edit], NOW + 10);
      expect(Number(out!.row.seq)).toBe(2);
      expect(Number(out!.row.target_seq)).toBe(1);
      const target = await stores.a().conversations.entry(dm.cid, 1);
      expect(JSON.parse(target!.body)).toEqual({ text: 'fixed', mentions: ['x'] }); // other fields kept
      expect(Number(target!.edited_at)).toBe(NOW + 10);
      expect(target!.recalled_at).toBeNull();
    });

    it('recalls the target and its earlier edits, and nothing else', async () => {
      const dm = newDm();
      const s = dm.users[0];
      await stores.a().entryLog.commit([dmText(dm, s, 'secret'), dmText(dm, s, 'neighbour')], NOW);
      const edit: WriteItem = {
        ...dmText(dm, s, ''),
        kind: 'edit',
        body: { text: 'secret 2' },
        targetSeq: 1,
        effect: { type: 'edit', text: 'secret 2' },
      };
      const editOther: WriteItem = {
        ...dmText(dm, s, ''),
        kind: 'edit',
        body: { text: 'n2' },
        targetSeq: 2,
        effect: { type: 'edit', text: 'n2' },
      };
      const recall: WriteItem = {
        ...dmText(dm, s, ''),
        kind: 'recall',
        body: {},
        targetSeq: 1,
        effect: { type: 'recall' },
      };
      // The edit and the recall in one batch: effects apply in item order, in the same transaction.
      const out = await stores.a().entryLog.commit([edit, editOther, recall], NOW + 20);
      expect(out.map((o) => Number(o.row.seq))).toEqual([3, 4, 5]);
      const at = async (seq: number) => (await stores.a().conversations.entry(dm.cid, seq))!;
      expect(Number((await at(1)).recalled_at)).toBe(NOW + 20);
      expect(Number((await at(3)).recalled_at)).toBe(NOW + 20);
      expect((await at(2)).recalled_at).toBeNull();
      expect((await at(4)).recalled_at).toBeNull();
      expect((await at(5)).recalled_at).toBeNull();
      expect(JSON.parse((await at(2)).body).text).toBe('n2');
    });

    it('a duplicate recall applies its effect once', async () => {
      const dm = newDm();
      const s = dm.users[0];
      await stores.a().entryLog.commit([dmText(dm, s, 'x')], NOW);
      const recall: WriteItem = {
        ...dmText(dm, s, ''),
        kind: 'recall',
        body: {},
        targetSeq: 1,
        effect: { type: 'recall' },
      };
      await stores.a().entryLog.commit([recall], NOW + 1);
      const [again] = await stores.a().entryLog.commit([recall], NOW + 99);
      expect(again!.duplicate).toBe(true);
      expect(Number((await stores.a().conversations.entry(dm.cid, 1))!.recalled_at)).toBe(NOW + 1);
    });
  });
});
