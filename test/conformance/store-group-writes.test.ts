import { describe, expect, it } from 'vitest';
import { groupConversationId } from '../../src/domain/conversation-id.js';
import { requireCanAdd, requireMember, requireOutranks, requireRole } from '../../src/domain/group-rules.js';
import { newId } from '../../src/domain/ids.js';
import type { MemberChangeState } from '../../src/store/groups.js';
import type { Store } from '../../src/store/store.js';
import { testDialects } from '../support/databases.js';
import { NOW, codeOf, storesFor } from './store-setup.js';

const sys = (type: string) => () => ({ system: { type }, events: [] });
const noop = () => {};

/** A group owned by `owner` with `members` (plain members), in the given policy. */
async function group(
  store: Store,
  o: { members?: string[]; max?: number; policy?: 'open' | 'approval' | 'invite' } = {},
) {
  const id = newId(),
    owner = await newUser(store);
  await store.groups.write.create({
    id,
    name: 'g',
    avatar: null,
    notice: '',
    joinPolicy: o.policy ?? 'open',
    ownerId: owner,
    memberIds: o.members ?? [],
    max: o.max ?? 50,
    now: NOW,
    describe: sys('created'),
  });
  return { id, owner, cid: groupConversationId(id) };
}

let userNo = 0;
/** A user row (member lists and request lists join `users`). */
async function newUser(store: Store): Promise<string> {
  const id = newId();
  const n = ++userNo;
  await store.users.create({
    id,
    username: `gw${n}_${id.slice(0, 8)}`,
    mobile: null,
    passwordHash: 'x',
    nickname: `u${n}`,
    avatar: null,
    gender: '',
    bio: '',
    now: NOW,
  });
  return id;
}

async function memberIds(store: Store, gid: string) {
  const rows = await store.groups.members(gid, { limit: 1000 });
  return rows.map((r) => r.user_id).sort();
}

/** Settles every promise; returns the values of the fulfilled ones and the codes of the rejected ones. */
async function settle<T>(ps: Promise<T>[]) {
  const out = await Promise.allSettled(ps);
  const ok = out.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const codes = out.flatMap((r) =>
    r.status === 'rejected' ? [(r.reason as { code?: string }).code ?? String(r.reason)] : [],
  );
  return { ok, codes };
}

describe.each(testDialects())('Store group writes on %s', (dialect) => {
  const stores = storesFor(dialect);
  const node = (i: number) => (i % 2 ? stores.b() : stores.a());

  describe('the member limit under concurrent adds', () => {
    it('admits exactly the limit when adds from two nodes race for the last places', async () => {
      const g = await group(stores.a(), { members: [await newUser(stores.a())], max: 5 }); // 2 of 5 taken
      const users = await Promise.all(Array.from({ length: 10 }, () => newUser(stores.a())));
      const { ok, codes } = await settle(
        users.map((u, i) =>
          node(i).groups.write.addMembers({
            groupId: g.id,
            actorId: g.owner,
            userIds: [u],
            max: 5,
            now: NOW,
            check: (s) => requireCanAdd(s.group, s.actor),
            describe: sys('added'),
          }),
        ),
      );
      expect(ok).toHaveLength(3);
      expect(codes).toEqual(Array(7).fill('GROUP_FULL'));
      expect(Number((await stores.a().groups.byId(g.id))!.member_count)).toBe(5);
      expect(await memberIds(stores.a(), g.id)).toHaveLength(5);
      // Each admitted add appended its own entry, gap-free after `created`.
      expect(ok.flatMap((c) => c.entries.map((e) => Number(e.seq))).sort()).toEqual([2, 3, 4]);
      expect(Number((await stores.a().conversations.get(g.cid))!.max_seq)).toBe(4);
    });

    it('refuses a multi-user add that would pass the limit as a whole, adding none of them', async () => {
      const g = await group(stores.a(), { max: 3 });
      const code = await codeOf(
        stores.a().groups.write.addMembers({
          groupId: g.id,
          actorId: g.owner,
          userIds: [await newUser(stores.a()), await newUser(stores.a()), await newUser(stores.a())],
          max: 3,
          now: NOW,
          check: noop,
          describe: sys('added'),
        }),
      );
      expect(code).toBe('GROUP_FULL');
      expect(await memberIds(stores.a(), g.id)).toEqual([g.owner]);
      expect(Number((await stores.a().conversations.get(g.cid))!.max_seq)).toBe(1);
    });

    it('accepts exactly the limit of racing join requests', async () => {
      const g = await group(stores.a(), { max: 3, policy: 'approval' });
      const reqs = await Promise.all(
        Array.from({ length: 6 }, async () => ({ user: await newUser(stores.a()), id: newId() })),
      );
      for (const r of reqs) {
        await stores.a().groups.write.requestJoin({
          groupId: g.id,
          actorId: r.user,
          requestId: r.id,
          message: '',
          now: NOW,
          check: noop,
          describe: () => ({ events: [] }),
        });
      }
      const { ok, codes } = await settle(
        reqs.map((r, i) =>
          node(i).groups.write.acceptRequest({
            groupId: g.id,
            actorId: g.owner,
            requestId: r.id,
            max: 3,
            now: NOW,
            check: (s) => requireRole(s.group, s.actor, 'admin'),
            describe: sys('joined'),
          }),
        ),
      );
      expect(ok).toHaveLength(2);
      expect(codes).toEqual(Array(4).fill('GROUP_FULL'));
      expect(await memberIds(stores.a(), g.id)).toHaveLength(3);
      // A refused accept rolled back its claim too: the request is still pending.
      const pending = await stores.a().groups.pendingRequests(g.id, { limit: 100 });
      expect(pending).toHaveLength(4);
    });
  });

  describe('writes by departed members', () => {
    it("refuses a removed member's writes with the coded error, checked on the locked rows", async () => {
      const admin = await newUser(stores.a()),
        m = await newUser(stores.a());
      const g = await group(stores.a(), { members: [admin, m] });
      await stores.a().groups.write.setMember({
        groupId: g.id,
        actorId: g.owner,
        userId: admin,
        patch: { role: 'admin' },
        now: NOW,
        check: noop,
        describe: sys('role'),
      });
      await stores.b().groups.write.removeMember({
        groupId: g.id,
        actorId: g.owner,
        userId: admin,
        now: NOW,
        check: noop,
        describe: sys('removed'),
      });
      // Through the other node, right after: the check sees that the actor is gone.
      const kick = stores.a().groups.write.removeMember({
        groupId: g.id,
        actorId: admin,
        userId: m,
        now: NOW,
        check: (s) => requireOutranks(s.group, s.actor, s.target, m),
        describe: sys('removed'),
      });
      expect(await codeOf(kick)).toBe('NOT_A_MEMBER');
      const add = stores.a().groups.write.addMembers({
        groupId: g.id,
        actorId: admin,
        userIds: [await newUser(stores.a())],
        max: 50,
        now: NOW,
        check: (s) => requireCanAdd(s.group, s.actor),
        describe: sys('added'),
      });
      expect(await codeOf(add)).toBe('NOT_A_MEMBER');
      expect(await memberIds(stores.a(), g.id)).toEqual([g.owner, m].sort());
    });

    it('a member who left an invite-only group gets GROUP_NOT_FOUND (it is hidden from non-members)', async () => {
      const m = await newUser(stores.a());
      const g = await group(stores.a(), { members: [m], policy: 'invite' });
      await stores.a().groups.write.removeMember({
        groupId: g.id,
        actorId: m,
        userId: m,
        now: NOW,
        check: noop,
        describe: sys('left'),
      });
      const again = stores.b().groups.write.update({
        groupId: g.id,
        actorId: m,
        patch: { notice: 'still here?' },
        now: NOW,
        check: (s) => void requireMember(s.group, s.actor),
        describe: sys('notice'),
      });
      expect(await codeOf(again)).toBe('GROUP_NOT_FOUND');
      expect((await stores.a().groups.byId(g.id))!.notice).toBe('');
    });

    it('the store itself refuses to remove or change someone who is not a member', async () => {
      const m = await newUser(stores.a());
      const g = await group(stores.a(), { members: [m] });
      await stores.a().groups.write.removeMember({
        groupId: g.id,
        actorId: m,
        userId: m,
        now: NOW,
        check: noop,
        describe: sys('left'),
      });
      expect(
        await codeOf(
          stores.a().groups.write.removeMember({
            groupId: g.id,
            actorId: g.owner,
            userId: m,
            now: NOW,
            check: noop,
            describe: sys('removed'),
          }),
        ),
      ).toBe('NOT_A_MEMBER');
      expect(
        await codeOf(
          stores.a().groups.write.setMember({
            groupId: g.id,
            actorId: g.owner,
            userId: m,
            patch: { role: 'admin' },
            now: NOW,
            check: noop,
            describe: sys('role'),
          }),
        ),
      ).toBe('NOT_A_MEMBER');
      expect(
        await codeOf(
          stores.a().groups.write.transfer({
            groupId: g.id,
            actorId: g.owner,
            userId: m,
            now: NOW,
            check: noop,
            describe: sys('owner'),
          }),
        ),
      ).toBe('NOT_A_MEMBER');
      expect(Number((await stores.a().conversations.get(g.cid))!.max_seq)).toBe(2); // created + left, nothing more
    });

    it('exactly one of several racing removals of the same member succeeds', async () => {
      const m = await newUser(stores.a());
      const g = await group(stores.a(), { members: [m] });
      const { ok, codes } = await settle(
        Array.from({ length: 6 }, (_, i) =>
          node(i).groups.write.removeMember({
            groupId: g.id,
            actorId: i === 0 ? m : g.owner,
            userId: m,
            now: NOW,
            check: noop,
            describe: sys('removed'),
          }),
        ),
      );
      expect(ok).toHaveLength(1);
      expect(codes).toEqual(Array(5).fill('NOT_A_MEMBER'));
      expect(Number((await stores.a().groups.byId(g.id))!.member_count)).toBe(1);
    });

    it('writes to a dissolved group are GROUP_NOT_FOUND, whatever the check says', async () => {
      const m = await newUser(stores.a());
      const g = await group(stores.a(), { members: [m] });
      await stores
        .a()
        .groups.write.dissolve({ groupId: g.id, actorId: g.owner, now: NOW, check: noop, describe: sys('dissolved') });
      expect(
        await codeOf(
          stores.b().groups.write.addMembers({
            groupId: g.id,
            actorId: g.owner,
            userIds: [await newUser(stores.a())],
            max: 50,
            now: NOW,
            check: noop,
            describe: sys('added'),
          }),
        ),
      ).toBe('GROUP_NOT_FOUND');
      expect(
        await codeOf(
          stores.b().groups.write.dissolve({
            groupId: g.id,
            actorId: g.owner,
            now: NOW,
            check: noop,
            describe: sys('dissolved'),
          }),
        ),
      ).toBe('GROUP_NOT_FOUND');
    });
  });

  describe('role checks inside the transaction', () => {
    it('hands the check the state as committed by the other node, and a refusal writes nothing', async () => {
      const a = await newUser(stores.a()),
        m = await newUser(stores.a());
      const g = await group(stores.a(), { members: [a, m], policy: 'approval' });
      await stores.a().groups.write.setMember({
        groupId: g.id,
        actorId: g.owner,
        userId: a,
        patch: { role: 'admin' },
        now: NOW,
        check: noop,
        describe: sys('role'),
      });
      const seen: MemberChangeState[] = [];
      const add = async (check: (s: MemberChangeState) => void) =>
        stores.b().groups.write.addMembers({
          groupId: g.id,
          actorId: a,
          userIds: [await newUser(stores.a())],
          max: 50,
          now: NOW,
          check: (s) => (seen.push(s), check(s)),
          describe: sys('added'),
        });
      await add((s) => requireCanAdd(s.group, s.actor));
      expect(seen.at(-1)!.actor).toMatchObject({ user_id: a, role: 'admin' });
      await stores.a().groups.write.setMember({
        groupId: g.id,
        actorId: g.owner,
        userId: a,
        patch: { role: 'member' },
        now: NOW,
        check: noop,
        describe: sys('role'),
      });
      const before = Number((await stores.a().conversations.get(g.cid))!.max_seq);
      expect(await codeOf(add((s) => requireCanAdd(s.group, s.actor)))).toBe('ROLE_REQUIRED');
      expect(seen.at(-1)!.actor).toMatchObject({ user_id: a, role: 'member' });
      expect(seen.at(-1)!.group.member_count).toBe(4);
      expect(Number((await stores.a().conversations.get(g.cid))!.max_seq)).toBe(before);
      expect(await memberIds(stores.a(), g.id)).toHaveLength(4);
    });

    it("a demotion racing the admin's own add: the add succeeds only if it committed first", async () => {
      for (let round = 0; round < 4; round++) {
        const a = await newUser(stores.a());
        const g = await group(stores.a(), { members: [a], policy: 'approval' });
        await stores.a().groups.write.setMember({
          groupId: g.id,
          actorId: g.owner,
          userId: a,
          patch: { role: 'admin' },
          now: NOW,
          check: noop,
          describe: sys('role'),
        });
        const [added, demoted] = await Promise.allSettled([
          stores.b().groups.write.addMembers({
            groupId: g.id,
            actorId: a,
            userIds: [await newUser(stores.a())],
            max: 50,
            now: NOW,
            check: (s) => requireCanAdd(s.group, s.actor),
            describe: sys('added'),
          }),
          stores.a().groups.write.setMember({
            groupId: g.id,
            actorId: g.owner,
            userId: a,
            patch: { role: 'member' },
            now: NOW,
            check: (s) => requireRole(s.group, s.actor, 'owner'),
            describe: sys('role'),
          }),
        ]);
        expect(demoted.status).toBe('fulfilled');
        const demotedAt = Number(
          (demoted as PromiseFulfilledResult<{ entries: { seq: number }[] }>).value.entries[0]!.seq,
        );
        if (added.status === 'fulfilled') expect(Number(added.value.entries[0]!.seq)).toBeLessThan(demotedAt);
        else expect((added.reason as { code?: string }).code).toBe('ROLE_REQUIRED');
      }
    });

    it('a write whose description fails after its rows were written leaves nothing behind', async () => {
      const g = await group(stores.a(), { max: 10 });
      const u = await newUser(stores.a());
      const boom = stores.a().groups.write.addMembers({
        groupId: g.id,
        actorId: g.owner,
        userIds: [u],
        max: 10,
        now: NOW,
        check: noop,
        describe: () => {
          throw new Error('describe failed');
        },
      });
      await expect(boom).rejects.toThrow('describe failed');
      expect(await stores.a().groups.member(g.id, u)).toBeUndefined();
      expect(Number((await stores.a().groups.byId(g.id))!.member_count)).toBe(1);
      expect(await stores.a().conversations.member(g.cid, u)).toBeUndefined();
    });
  });
});
