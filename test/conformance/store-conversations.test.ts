import { describe, expect, it } from 'vitest';
import { groupConversationId } from '../../src/domain/conversation-id.js';
import { newId } from '../../src/domain/ids.js';
import type { Store } from '../../src/store/store.js';
import { testDialects } from '../support/databases.js';
import { NOW, dmText, newDm, storesFor } from './store-setup.js';

const seqs = (rows: { seq: number }[]) => rows.map((r) => Number(r.seq));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A DM holding `n` messages, seqs 1..n, all created at `at`. */
async function dmWith(store: Store, n: number, at = NOW) {
  const dm = newDm();
  await store.entryLog.commit(
    range(1, n).map((i) => dmText(dm, dm.users[i % 2]!, `m${i}`)),
    at,
  );
  return dm;
}

const noop = () => {};
const quiet = () => ({ events: [] });
const sys = (type: string) => () => ({ system: { type }, events: [] });

describe.each(testDialects())('Store conversation ranges on %s', (dialect) => {
  const stores = storesFor(dialect);

  describe('history paging', () => {
    it('pages forward with entriesAfter: after < seq <= upTo, ascending, at most limit', async () => {
      const dm = await dmWith(stores.a(), 12);
      const c = stores.a().conversations;
      expect(seqs(await c.entriesAfter(dm.cid, 0, 12, 5))).toEqual([1, 2, 3, 4, 5]);
      expect(seqs(await c.entriesAfter(dm.cid, 5, 12, 5))).toEqual([6, 7, 8, 9, 10]);
      expect(seqs(await c.entriesAfter(dm.cid, 10, 12, 5))).toEqual([11, 12]);
      expect(seqs(await c.entriesAfter(dm.cid, 12, 12, 5))).toEqual([]);
      expect(seqs(await c.entriesAfter(dm.cid, 3, 7, 100))).toEqual([4, 5, 6, 7]); // upTo is inclusive
      expect(seqs(await c.entriesAfter(dm.cid, 7, 3, 100))).toEqual([]);
    });

    it('pages backward with entriesBefore: the latest with floor < seq < before, returned ascending', async () => {
      const dm = await dmWith(stores.a(), 12);
      const c = stores.a().conversations;
      expect(seqs(await c.entriesBefore(dm.cid, 13, 0, 5))).toEqual([8, 9, 10, 11, 12]);
      expect(seqs(await c.entriesBefore(dm.cid, 8, 0, 5))).toEqual([3, 4, 5, 6, 7]);
      expect(seqs(await c.entriesBefore(dm.cid, 3, 0, 5))).toEqual([1, 2]);
      expect(seqs(await c.entriesBefore(dm.cid, 1, 0, 5))).toEqual([]);
      expect(seqs(await c.entriesBefore(dm.cid, 10, 6, 100))).toEqual([7, 8, 9]); // both bounds exclusive
    });

    it('keeps each conversation to itself', async () => {
      const p = await dmWith(stores.a(), 3);
      const q = await dmWith(stores.a(), 2);
      const c = stores.a().conversations;
      expect((await c.entriesAfter(p.cid, 0, 100, 100)).every((r) => r.conversation_id === p.cid)).toBe(true);
      expect(seqs(await c.entriesBefore(q.cid, 100, 0, 100))).toEqual([1, 2]);
      expect(await c.entry(q.cid, 3)).toBeUndefined();
      expect(JSON.parse((await c.entry(p.cid, 3))!.body)).toEqual({ text: 'm3' });
    });
  });

  describe('min_seq and max_seq', () => {
    it('starts a conversation at min_seq 1, max_seq 0, and raises max_seq per entry', async () => {
      const dm = newDm();
      const c = stores.a().conversations;
      expect(await c.get(dm.cid)).toBeUndefined();
      await stores.a().entryLog.commit([dmText(dm, dm.users[0], 'one')], NOW);
      expect(await c.get(dm.cid)).toMatchObject({ id: dm.cid, kind: 'dm' });
      const conv = (await c.get(dm.cid))!;
      expect([Number(conv.min_seq), Number(conv.max_seq)]).toEqual([1, 1]);
      await stores.a().entryLog.commit([dmText(dm, dm.users[1], 'two'), dmText(dm, dm.users[0], 'three')], NOW);
      expect(Number((await c.get(dm.cid))!.max_seq)).toBe(3);
    });

    it('sweep deletes old entries and moves min_seq past them; max_seq and later seqs stay', async () => {
      const old = NOW - 10_000_000;
      const dm = await dmWith(stores.a(), 4, old);
      await stores.a().entryLog.commit([dmText(dm, dm.users[0], 'recent')], NOW);
      const untouched = await dmWith(stores.a(), 2, NOW);
      const removed = await stores.a().entryLog.sweep(NOW - 5_000_000);
      expect(removed).toBeGreaterThanOrEqual(4);
      const c = stores.a().conversations;
      const conv = (await c.get(dm.cid))!;
      expect([Number(conv.min_seq), Number(conv.max_seq)]).toEqual([5, 5]);
      expect(seqs(await c.entriesAfter(dm.cid, 0, 100, 100))).toEqual([5]);
      expect(Number((await c.get(untouched.cid))!.min_seq)).toBe(1);
      // The next entry still continues from max_seq.
      const [next] = await stores.b().entryLog.commit([dmText(dm, dm.users[1], 'next')], NOW);
      expect(Number(next!.row.seq)).toBe(6);
      // Sweeping again with nothing old is a no-op on the range.
      await stores.a().entryLog.sweep(NOW - 5_000_000);
      expect(Number((await c.get(dm.cid))!.min_seq)).toBe(5);
    });

    it("memberships carry the range and both DM members' rows", async () => {
      const dm = await dmWith(stores.a(), 3);
      await stores.a().conversations.markRead(dm.cid, dm.users[1], 2, NOW);
      const [mine] = (await stores.a().conversations.memberships(dm.users[0])).filter(
        (m) => m.conversationId === dm.cid,
      );
      expect(mine).toMatchObject({
        kind: 'dm',
        minSeq: 1,
        maxSeq: 3,
        readSeq: 0,
        joinedSeq: 0,
        leftSeq: null,
        peerReadSeq: 2,
      });
    });
  });

  describe('joined and left seq bounds of group members', () => {
    it('a joiner starts just before their join entry, a leaver stops at their leave entry, a rejoiner starts again', async () => {
      const gid = newId(),
        owner = newId(),
        early = newId(),
        late = newId();
      const w = stores.a().groups.write;
      const cid = groupConversationId(gid);
      await w.create({
        id: gid,
        name: 'bounds',
        avatar: null,
        notice: '',
        joinPolicy: 'open',
        ownerId: owner,
        memberIds: [early],
        max: 10,
        now: NOW,
        describe: sys('created'),
      });
      // seq 1: created. Both founding members see it.
      const msg = (text: string) => ({
        conversationId: cid,
        conversationKind: 'group' as const,
        senderId: owner,
        clientId: newId(),
        kind: 'text',
        body: { text },
      });
      await stores.b().entryLog.commit([msg('2'), msg('3')], NOW);
      const add = await w.addMembers({
        groupId: gid,
        actorId: owner,
        userIds: [late],
        max: 10,
        now: NOW,
        check: noop,
        describe: sys('added'),
      });
      expect(seqs(add.entries)).toEqual([4]);
      const bounds = async (u: string) => {
        const m = (await stores.a().conversations.member(cid, u))!;
        return {
          joined: Number(m.joined_seq),
          left: m.left_seq == null ? null : Number(m.left_seq),
          read: Number(m.read_seq),
        };
      };
      expect(await bounds(owner)).toMatchObject({ joined: 0, left: null });
      expect(await bounds(early)).toMatchObject({ joined: 0, left: null });
      expect(await bounds(late)).toEqual({ joined: 3, left: null, read: 3 }); // sees its own join (seq 4), not 2..3

      await stores.b().entryLog.commit([msg('5')], NOW);
      const leave = await w.removeMember({
        groupId: gid,
        actorId: early,
        userId: early,
        now: NOW,
        check: noop,
        describe: sys('left'),
      });
      expect(seqs(leave.entries)).toEqual([6]);
      expect(await bounds(early)).toMatchObject({ joined: 0, left: 6 }); // sees its own exit
      expect(await stores.a().groups.member(gid, early)).toBeUndefined();
      const view = (await stores.a().conversations.memberships(early)).find((m) => m.conversationId === cid)!;
      expect(view).toMatchObject({ kind: 'group', joinedSeq: 0, leftSeq: 6, maxSeq: 6, minSeq: 1 });
      expect(view.peerReadSeq).toBeUndefined();

      await stores.b().entryLog.commit([msg('7')], NOW);
      const back = await w.addMembers({
        groupId: gid,
        actorId: owner,
        userIds: [early],
        max: 10,
        now: NOW,
        check: noop,
        describe: sys('added'),
      });
      expect(seqs(back.entries)).toEqual([8]);
      expect(await bounds(early)).toEqual({ joined: 7, left: null, read: 7 });
    });

    it('a change without a system entry bounds at the current max_seq', async () => {
      const gid = newId(),
        owner = newId(),
        quietJoin = newId();
      const w = stores.a().groups.write;
      const cid = groupConversationId(gid);
      await w.create({
        id: gid,
        name: 'quiet',
        avatar: null,
        notice: '',
        joinPolicy: 'open',
        ownerId: owner,
        memberIds: [],
        max: 10,
        now: NOW,
        describe: sys('created'),
      });
      const add = await w.addMembers({
        groupId: gid,
        actorId: owner,
        userIds: [quietJoin],
        max: 10,
        now: NOW,
        check: noop,
        describe: quiet,
      });
      expect(add.entries).toEqual([]);
      expect(Number((await stores.a().conversations.member(cid, quietJoin))!.joined_seq)).toBe(1);
      await w.removeMember({ groupId: gid, actorId: owner, userId: quietJoin, now: NOW, check: noop, describe: quiet });
      expect(Number((await stores.a().conversations.member(cid, quietJoin))!.left_seq)).toBe(1);
    });

    it('dissolving ends every member at the dissolved entry', async () => {
      const gid = newId(),
        owner = newId(),
        m1 = newId(),
        m2 = newId();
      const w = stores.a().groups.write;
      const cid = groupConversationId(gid);
      await w.create({
        id: gid,
        name: 'gone',
        avatar: null,
        notice: '',
        joinPolicy: 'invite',
        ownerId: owner,
        memberIds: [m1, m2],
        max: 10,
        now: NOW,
        describe: sys('created'),
      });
      const d = await w.dissolve({ groupId: gid, actorId: owner, now: NOW, check: noop, describe: sys('dissolved') });
      expect([...d.value].sort()).toEqual([owner, m1, m2].sort());
      for (const u of [owner, m1, m2])
        expect(Number((await stores.a().conversations.member(cid, u))!.left_seq)).toBe(2);
      expect(await stores.a().groups.mine(m1)).toEqual([]);
    });
  });
});
