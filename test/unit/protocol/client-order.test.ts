import { describe, expect, it } from 'vitest';
import { EntryOrder, type Entry } from '@parley/client';
import { entry, names } from './fixtures.js';

function order(last: Record<string, number> = {}) {
  const out: Entry[] = [];
  const o = new EntryOrder((e) => out.push(e));
  for (const [c, s] of Object.entries(last)) o.last.set(c, s);
  return { o, out };
}

describe('EntryOrder', () => {
  it('hands contiguous live entries over at once, in order', () => {
    const { o, out } = order({ a: 3 });
    expect(o.live(entry('a', 4))).toBe(false);
    expect(o.live(entry('a', 5))).toBe(false);
    expect(names(out)).toEqual(['a#4', 'a#5']);
    expect(o.last.get('a')).toBe(5);
    expect(o.gaps()).toEqual([]);
  });

  it('holds entries ahead of a gap and releases them, sorted, once a late frame fills it', () => {
    const { o, out } = order({ a: 1 });
    expect(o.live(entry('a', 5))).toBe(true);
    expect(o.live(entry('a', 3))).toBe(true);
    expect(o.live(entry('a', 4))).toBe(true);
    expect(out).toEqual([]);
    expect(o.gaps()).toEqual(['a']);
    expect(o.live(entry('a', 2))).toBe(false);
    expect(names(out)).toEqual(['a#2', 'a#3', 'a#4', 'a#5']);
    expect(o.gaps()).toEqual([]);
  });

  it('releases held entries after sync fills the gap, keeping what is still ahead of another gap', () => {
    const { o, out } = order({ a: 1 });
    o.live(entry('a', 4));
    o.live(entry('a', 7));
    o.synced(entry('a', 2));
    o.synced(entry('a', 3));
    o.drain('a');
    expect(names(out)).toEqual(['a#2', 'a#3', 'a#4']);
    expect(o.gaps()).toEqual(['a']); // 7 still waits for 5 and 6
    o.dropHeld();
    expect(o.gaps()).toEqual([]);
  });

  it('drops duplicates: live, synced and held alike', () => {
    const { o, out } = order({ a: 2 });
    expect(o.live(entry('a', 2))).toBe(false);
    expect(o.live(entry('a', 1))).toBe(false);
    o.synced(entry('a', 2));
    o.live(entry('a', 4));
    o.live(entry('a', 4));
    o.synced(entry('a', 3));
    o.synced(entry('a', 4)); // sync brings the held one too: handed over once
    o.drain('a');
    o.live(entry('a', 4));
    expect(names(out)).toEqual(['a#3', 'a#4']);
    expect(o.gaps()).toEqual([]);
  });

  it('hands seq 1 of an unknown conversation over live, but holds a later seq of one', () => {
    const { o, out } = order();
    expect(o.live(entry('new', 1))).toBe(false);
    expect(o.live(entry('other', 2))).toBe(true);
    expect(names(out)).toEqual(['new#1']);
    expect(o.last.get('new')).toBe(1);
    expect(o.last.has('other')).toBe(false);
    expect(o.gaps()).toEqual(['other']);
  });

  it('a reset (retention) moves the position forward only, and drains what became contiguous', () => {
    const { o, out } = order({ a: 2 });
    o.live(entry('a', 11));
    expect(o.reset('a', 3)).toBe(false); // already there
    expect(o.reset('a', 11)).toBe(true);
    expect(o.last.get('a')).toBe(10);
    expect(o.reset('a', 5)).toBe(false); // never backwards
    o.drainAll();
    expect(names(out)).toEqual(['a#11']);
  });
});
