import type { Clock } from '../domain/clock.js';
import type { DeliveredMark, ReceiptRepo } from '../store/receipts.js';

interface Waiting {
  mark: DeliveredMark;
  resolve(r: { seq: number; moved: boolean }): void;
  reject(e: unknown): void;
}

/**
 * Batches delivered positions (the `received` frame) into one transaction per window, as the
 * group commit does for messages. Every one-to-one message makes its recipient report it; one
 * write per report was two SQLite transactions (two fsyncs) per message and took the one-to-one
 * benchmark from p99 99 ms to 1.2 s at 5,000 msgs/s (BENCHMARKS.md). Reports of the same
 * (conversation, user) in a window collapse into the highest; only that one answers `moved`,
 * so the peer is told once.
 */
export class DeliveryWriter {
  private queue: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly repo: Pick<ReceiptRepo, 'markDelivered'>,
    private readonly clock: Clock,
    /** How long a report waits for others to join its transaction, ms. */
    private readonly window: number,
  ) {}

  mark(m: DeliveredMark): Promise<{ seq: number; moved: boolean }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ mark: m, resolve, reject });
      this.schedule();
    });
  }

  /** Writes what is queued (shutdown). */
  async close(): Promise<void> {
    while (this.queue.length || this.running) {
      if (!this.running) this.kick();
      await this.running;
    }
  }

  private schedule() {
    if (this.running || this.timer) return;
    // A real timer, not the clock's: tests on a manual clock still see reports written.
    this.timer = setTimeout(() => this.kick(), Math.max(1, this.window));
  }

  private kick() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running || this.queue.length === 0) return;
    this.running = this.flush().finally(() => {
      this.running = undefined;
      if (this.queue.length) this.schedule();
    });
  }

  private async flush() {
    const batch = this.queue.splice(0, this.queue.length);
    // The highest report of each pair is written; the others answer with where it ended.
    const top = new Map<string, Waiting>();
    for (const w of batch) {
      const k = `${w.mark.conversationId}\u0000${w.mark.userId}`;
      const had = top.get(k);
      if (!had || w.mark.seq > had.mark.seq) top.set(k, w);
    }
    const heads = [...top.values()];
    try {
      const out = await this.repo.markDelivered(
        heads.map((w) => w.mark),
        this.clock.now(),
      );
      const result = new Map(heads.map((w, i) => [w, out[i]!]));
      for (const w of batch) {
        const k = `${w.mark.conversationId}\u0000${w.mark.userId}`;
        const r = result.get(top.get(k)!)!;
        w.resolve(w === top.get(k) ? r : { seq: Math.max(r.seq, w.mark.seq), moved: false });
      }
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }
}
