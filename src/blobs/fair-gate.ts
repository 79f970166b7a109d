export interface GateLoad {
  running: number;
  waiting: number;
}

/**
 * A concurrency gate that is fair between owners (users). At most `slots` tasks run at once
 * (each image decode may take width × height × 4 bytes); one owner holds at most `perOwner` of
 * them (default: all but one, so another owner's task always finds a slot free, or the next one
 * to free up); waiting owners are served round-robin, each owner's own tasks in order. So one
 * user's queue of large animated uploads delays another user's small image by at most the
 * slot it waits for, never by the whole queue.
 */
export class FairGate {
  private readonly active = new Map<string, number>();
  private running = 0;
  /** Waiting tasks per owner, in arrival order; the map's order is the round-robin order. */
  private readonly waiting = new Map<string, (() => void)[]>();
  private readonly perOwner: number;

  constructor(
    private readonly slots: number,
    perOwner?: number,
    /** Told the new load after every change (a metrics gauge). */
    private readonly onLoad?: (load: GateLoad) => void,
  ) {
    this.perOwner = Math.max(1, Math.min(slots, perOwner ?? slots - 1));
  }

  /** Runs `task` when a slot is free for `owner`; resolves or rejects with the task. */
  async run<T>(owner: string, task: () => Promise<T>): Promise<T> {
    if (this.canStart(owner)) {
      this.take(owner);
      this.report();
    } else {
      // `take` is done by `next()` on our behalf before we are woken, so the count stays exact.
      await new Promise<void>((wake) => {
        const q = this.waiting.get(owner);
        if (q) q.push(wake);
        else this.waiting.set(owner, [wake]);
        this.report();
      });
    }
    try {
      return await task();
    } finally {
      this.give(owner);
      this.next();
      this.report();
    }
  }

  private report() {
    this.onLoad?.(this.load);
  }

  /** Tasks running and waiting. */
  get load(): GateLoad {
    let waiting = 0;
    for (const q of this.waiting.values()) waiting += q.length;
    return { running: this.running, waiting };
  }

  private canStart(owner: string): boolean {
    return this.running < this.slots && (this.active.get(owner) ?? 0) < this.perOwner;
  }

  private take(owner: string) {
    this.running++;
    this.active.set(owner, (this.active.get(owner) ?? 0) + 1);
  }

  private give(owner: string) {
    this.running--;
    const n = (this.active.get(owner) ?? 1) - 1;
    if (n <= 0) this.active.delete(owner);
    else this.active.set(owner, n);
  }

  /** Starts waiting tasks while slots are free: the first owner in turn that may run goes next. */
  private next() {
    for (let progressed = true; progressed && this.running < this.slots; ) {
      progressed = false;
      for (const [owner, q] of this.waiting) {
        if (!this.canStart(owner)) continue;
        const wake = q.shift()!;
        // Served: this owner goes to the back of the round.
        this.waiting.delete(owner);
        if (q.length) this.waiting.set(owner, q);
        this.take(owner);
        wake();
        progressed = true;
        break;
      }
    }
  }
}
