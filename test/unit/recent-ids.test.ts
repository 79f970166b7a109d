import { describe, expect, it } from 'vitest';
import { RecentIds } from '../../src/domain/recent-ids.js';

describe('RecentIds', () => {
  it('always remembers the latest capacity / 2 ids and never more than capacity', () => {
    const seen = new RecentIds(100);
    for (let i = 0; i < 1_000; i++) {
      seen.add(`id${i}`);
      // Everything from the last 50 adds is still there...
      for (let k = Math.max(0, i - 49); k <= i; k++) expect(seen.has(`id${k}`)).toBe(true);
      // ...and nothing older than the last 100.
      if (i >= 100) expect(seen.has(`id${i - 100}`)).toBe(false);
    }
  });

  it('answers false for ids it never saw', () => {
    const seen = new RecentIds(10);
    seen.add('a');
    expect(seen.has('b')).toBe(false);
    expect(seen.has('a')).toBe(true);
  });
});
