/**
 * The only way code reads time. Production uses {@link systemClock}; tests pass a
 * {@link ManualClock} so no test ever waits for a real timeout.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Like `setTimeout`; the returned function cancels the timer. */
  setTimeout(fn: () => void, ms: number): () => void;
  /** Like `setInterval`; the returned function cancels the timer. */
  setInterval(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return () => clearTimeout(t);
  },
  setInterval(fn, ms) {
    const t = setInterval(fn, ms);
    t.unref?.();
    return () => clearInterval(t);
  },
};

/** A clock that moves only when told to; timers fire during {@link ManualClock.advance}. */
export class ManualClock implements Clock {
  private timers = new Map<number, { at: number; fn: () => void; every?: number }>();
  private nextId = 1;
  constructor(private current = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): () => void {
    const id = this.nextId++;
    this.timers.set(id, { at: this.current + ms, fn });
    return () => this.timers.delete(id);
  }

  setInterval(fn: () => void, ms: number): () => void {
    const id = this.nextId++;
    this.timers.set(id, { at: this.current + ms, fn, every: Math.max(1, ms) });
    return () => this.timers.delete(id);
  }

  /** Moves time forward, firing due timers in time order. */
  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      let dueId = -1;
      let due: { at: number; fn: () => void; every?: number } | undefined;
      for (const [id, t] of this.timers) {
        if (t.at <= end && (!due || t.at < due.at)) {
          due = t;
          dueId = id;
        }
      }
      if (!due) break;
      this.current = Math.max(this.current, due.at);
      if (due.every) due.at += due.every;
      else this.timers.delete(dueId);
      due.fn();
    }
    this.current = end;
  }
}
