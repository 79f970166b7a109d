import { describe, expect, it } from 'vitest';
import { newEntryId, newId } from '../../src/domain/ids.js';

describe('ids', () => {
  it('newId: 26 base32 characters, 130 random bits, no order', () => {
    const ids = Array.from({ length: 2000 }, () => newId());
    for (const id of ids) expect(id).toMatch(/^[0-9a-hjkmnp-tv-z]{26}$/);
    expect(new Set(ids).size).toBe(ids.length);
    const sorted = [...ids].sort();
    expect(sorted).not.toEqual(ids);
  });

  it('newEntryId: the same shape, sorting by time (the unique index grows at its right edge), unique within a millisecond', () => {
    const t = Date.UTC(2026, 11, 2);
    const same = Array.from({ length: 2000 }, () => newEntryId(t));
    for (const id of same) expect(id).toMatch(/^[0-9a-hjkmnp-tv-z]{26}$/);
    expect(new Set(same).size).toBe(same.length);
    expect(new Set(same.map((id) => id.slice(0, 10))).size).toBe(1);
    // Later times sort after earlier ones, whatever the random part.
    const times = [t - 86_400_000, t - 1, t, t + 1, t + 31, t + 32, t + 1_000_000, t + 365 * 86_400_000];
    const ids = times.map((x) => newEntryId(x));
    expect([...ids].sort()).toEqual(ids);
  });
});
