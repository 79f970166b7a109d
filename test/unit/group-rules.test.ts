import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import {
  type GroupFacts,
  type JoinPolicy,
  type MemberFacts,
  type Role,
  publiclyVisible,
  requireCanAdd,
  requireMember,
  requireOutranks,
  requireOwnerOver,
  requireRole,
} from '../../src/domain/group-rules.js';

const POLICIES: JoinPolicy[] = ['open', 'approval', 'invite'];
const ROLES: Role[] = ['owner', 'admin', 'member'];
type Who = Role | 'outsider';
const WHO: Who[] = [...ROLES, 'outsider'];

const live = (p: JoinPolicy): GroupFacts => ({ join_policy: p, dissolved_at: null });
const dissolved = (p: JoinPolicy): GroupFacts => ({ join_policy: p, dissolved_at: 1 });
const as = (who: Who, id = `actor-${who}`): MemberFacts | undefined =>
  who === 'outsider' ? undefined : { user_id: id, role: who };

/** 'ok' when the rule passes, else the error code it throws (anything else fails the test). */
function outcome(rule: () => unknown): string {
  try {
    rule();
    return 'ok';
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
}

/** What an outsider gets: a hidden group is 404, a visible one 403. */
const outsider = (p: JoinPolicy) => (p === 'invite' ? 'GROUP_NOT_FOUND' : 'NOT_A_MEMBER');

describe('group rules', () => {
  it('shows open and approval groups to non-members, never invite-only or dissolved ones', () => {
    expect(POLICIES.map((p) => publiclyVisible(live(p)))).toEqual([true, true, false]);
    expect(POLICIES.map((p) => publiclyVisible(dissolved(p)))).toEqual([false, false, false]);
  });

  describe.each(POLICIES)('in a live %s group', (p) => {
    const g = live(p);

    it('requireMember: every member passes and gets their own row back; an outsider does not', () => {
      for (const r of ROLES) expect(requireMember(g, as(r))).toEqual(as(r));
      expect(outcome(() => requireMember(g, undefined))).toBe(outsider(p));
    });

    it.each(ROLES)('requireRole(%s) over every role', (min) => {
      const rank = { member: 1, admin: 2, owner: 3 };
      for (const who of WHO) {
        const expected = who === 'outsider' ? outsider(p) : rank[who] >= rank[min] ? 'ok' : 'ROLE_REQUIRED';
        expect(
          outcome(() => requireRole(g, as(who), min)),
          `${who} for ${min}`,
        ).toBe(expected);
      }
    });

    it('requireCanAdd: admins and the owner add; plain members only outside approval groups', () => {
      const got = Object.fromEntries(WHO.map((w) => [w, outcome(() => requireCanAdd(g, as(w)))]));
      expect(got).toEqual({
        owner: 'ok',
        admin: 'ok',
        member: p === 'approval' ? 'ROLE_REQUIRED' : 'ok',
        outsider: outsider(p),
      });
    });

    it('requireOutranks (kick, mute): every actor × every target', () => {
      const table: Record<string, Record<string, string>> = {};
      for (const actor of WHO) {
        table[actor] = {};
        for (const target of WHO) {
          table[actor][target] = outcome(() => requireOutranks(g, as(actor), as(target, 'target'), 'target'));
        }
        table[actor].self = outcome(() => requireOutranks(g, as(actor), as(actor), `actor-${actor}`));
      }
      const denied = {
        owner: 'ROLE_REQUIRED',
        admin: 'ROLE_REQUIRED',
        member: 'ROLE_REQUIRED',
        outsider: 'ROLE_REQUIRED',
        self: 'ROLE_REQUIRED',
      };
      const out = outsider(p);
      expect(table).toEqual({
        owner: {
          owner: 'ROLE_REQUIRED',
          admin: 'ok',
          member: 'ok',
          outsider: 'MEMBER_NOT_FOUND',
          self: 'CANNOT_TARGET_SELF',
        },
        admin: {
          owner: 'ROLE_REQUIRED',
          admin: 'ROLE_REQUIRED',
          member: 'ok',
          outsider: 'MEMBER_NOT_FOUND',
          self: 'CANNOT_TARGET_SELF',
        },
        member: denied,
        outsider: { owner: out, admin: out, member: out, outsider: out, self: out },
      });
    });

    it('requireOwnerOver (roles, transfer): only the owner, on another member', () => {
      const table: Record<string, Record<string, string>> = {};
      for (const actor of WHO) {
        table[actor] = {};
        for (const target of WHO)
          table[actor][target] = outcome(() => requireOwnerOver(g, as(actor), as(target, 'target'), 'target'));
        table[actor].self = outcome(() => requireOwnerOver(g, as(actor), as(actor), `actor-${actor}`));
      }
      const denied = {
        owner: 'ROLE_REQUIRED',
        admin: 'ROLE_REQUIRED',
        member: 'ROLE_REQUIRED',
        outsider: 'ROLE_REQUIRED',
        self: 'ROLE_REQUIRED',
      };
      const out = outsider(p);
      expect(table).toEqual({
        owner: { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'MEMBER_NOT_FOUND', self: 'CANNOT_TARGET_SELF' },
        admin: denied,
        member: denied,
        outsider: { owner: out, admin: out, member: out, outsider: out, self: out },
      });
    });
  });

  describe.each(POLICIES)('in a dissolved %s group', (p) => {
    const g = dissolved(p);
    it('every rule answers GROUP_NOT_FOUND to everyone, members included', () => {
      for (const who of WHO) {
        const a = as(who);
        const codes = [
          outcome(() => requireMember(g, a)),
          ...ROLES.map((min) => outcome(() => requireRole(g, a, min))),
          outcome(() => requireCanAdd(g, a)),
          outcome(() => requireOutranks(g, a, as('member', 't'), 't')),
          outcome(() => requireOwnerOver(g, a, as('member', 't'), 't')),
        ];
        expect(codes, who).toEqual(Array(codes.length).fill('GROUP_NOT_FOUND'));
      }
    });
  });
});
