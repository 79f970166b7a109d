import { describe, expect, it } from 'vitest';
import { AuthzCache } from '../../src/services/authz-cache.js';
import type { AuthzRepo, GroupMembership } from '../../src/store/authz.js';

/**
 * An `AuthzRepo` whose answers the test holds back and releases one by one, so a load can be
 * caught in flight. Its state is a plain map the test changes, as a committed write would.
 */
class HeldRepo implements AuthzRepo {
  readonly calls: string[] = [];
  readonly roles = new Map<string, GroupMembership['role']>();
  friends = true;
  private held: (() => void)[] = [];
  hold = false;

  private answer<T>(name: string, read: () => T): Promise<T> {
    this.calls.push(name);
    if (!this.hold) return Promise.resolve(read());
    // The value is read when the query "runs", i.e. before anything the test does next.
    const value = read();
    return new Promise((resolve) => this.held.push(() => resolve(value)));
  }

  /** Lets the oldest held query answer, and waits for its caller to go on. */
  async release() {
    this.held.shift()!();
    await new Promise((r) => setImmediate(r));
  }

  pair(a: string, b: string) {
    return this.answer(`pair:${a}:${b}`, () => ({ friends: this.friends, blocked: false }));
  }
  membership(groupId: string, userId: string) {
    return this.answer(`member:${groupId}:${userId}`, () => {
      const role = this.roles.get(`${groupId}:${userId}`);
      return role ? { role, mutedUntil: null } : null;
    });
  }
  group(groupId: string) {
    return this.answer(`group:${groupId}`, () => ({ exists: true, dissolved: false }));
  }
  async groupIds() {
    return [];
  }
  async friendIds() {
    return [];
  }
  async blockers() {
    return [];
  }
  async blocked() {
    return [];
  }
}

describe('AuthzCache', () => {
  it('answers repeated lookups from memory, whichever way round a pair is asked', async () => {
    const repo = new HeldRepo();
    const cache = new AuthzCache(repo);
    expect(await cache.pair('a', 'b')).toEqual({ friends: true, blocked: false });
    repo.friends = false;
    expect(await cache.pair('b', 'a')).toEqual({ friends: true, blocked: false });
    expect(repo.calls).toEqual(['pair:a:b']);
  });

  it('drops the entries tagged by an invalidated key, and only those', async () => {
    const repo = new HeldRepo();
    const cache = new AuthzCache(repo);
    repo.roles.set('g1:u1', 'member');
    await cache.membership('g1', 'u1');
    await cache.membership('g2', 'u2');
    await cache.pair('u1', 'u3');
    repo.roles.set('g1:u1', 'admin');
    cache.invalidate(['group:g1']);
    expect(await cache.membership('g1', 'u1')).toEqual({ role: 'admin', mutedUntil: null });
    await cache.membership('g2', 'u2');
    await cache.pair('u1', 'u3');
    expect(repo.calls.filter((c) => c === 'member:g1:u1')).toHaveLength(2);
    expect(repo.calls.filter((c) => c === 'member:g2:u2')).toHaveLength(1);
    expect(repo.calls.filter((c) => c.startsWith('pair:'))).toHaveLength(1);
    // A user key drops both their pairs and their memberships.
    cache.invalidate(['user:u1']);
    await cache.membership('g1', 'u1');
    await cache.pair('u3', 'u1');
    expect(repo.calls.filter((c) => c === 'member:g1:u1')).toHaveLength(3);
    expect(repo.calls.filter((c) => c.startsWith('pair:'))).toHaveLength(2);
  });

  it('does not cache a load that an invalidation overtook: the invalidation wins', async () => {
    const repo = new HeldRepo();
    const cache = new AuthzCache(repo);
    repo.roles.set('g:u', 'admin');
    repo.hold = true;
    const stale = cache.membership('g', 'u'); // reads "admin" ...
    repo.roles.delete('g:u'); // ... then the user is removed and the change is announced
    cache.invalidate(['group:g']);
    await repo.release();
    expect(await stale).toEqual({ role: 'admin', mutedUntil: null }); // the caller gets what it read
    repo.hold = false;
    expect(await cache.membership('g', 'u')).toBeNull(); // but nobody after it does
    expect(repo.calls).toEqual(['member:g:u', 'member:g:u']);
  });

  it('a clear() keeps an in-flight load out too', async () => {
    const repo = new HeldRepo();
    const cache = new AuthzCache(repo);
    repo.hold = true;
    const first = cache.group('g');
    cache.clear();
    await repo.release();
    await first;
    repo.hold = false;
    await cache.group('g');
    await cache.group('g');
    expect(repo.calls).toEqual(['group:g', 'group:g']); // the second load is the first cached one
  });

  it('a load that started after the invalidation is cached', async () => {
    const repo = new HeldRepo();
    const cache = new AuthzCache(repo);
    cache.invalidate(['group:g']);
    repo.hold = true;
    const p = cache.group('g');
    await repo.release();
    await p;
    repo.hold = false;
    await cache.group('g');
    expect(repo.calls).toEqual(['group:g']);
  });

  it('bypass reads the repo every time and caches nothing', async () => {
    const repo = new HeldRepo();
    const cache = new AuthzCache(repo);
    cache.bypass = true;
    await cache.group('g');
    await cache.group('g');
    cache.bypass = false;
    await cache.group('g');
    await cache.group('g');
    expect(repo.calls).toEqual(['group:g', 'group:g', 'group:g']);
  });

  it('stays within its size bound, evicting the least recently used', async () => {
    const repo = new HeldRepo();
    const cache = new AuthzCache(repo, 2);
    await cache.group('a');
    await cache.group('b');
    await cache.group('a'); // a is now the most recent
    await cache.group('c'); // evicts b
    await cache.group('a');
    await cache.group('b');
    expect(repo.calls).toEqual(['group:a', 'group:b', 'group:c', 'group:b']);
  });
});
