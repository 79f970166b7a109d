import type { Clock } from '../domain/clock.js';
import { fail } from '../domain/errors.js';
import type { EntryLogRepo, WriteItem, WriteOutcome } from '../store/entry-log.js';
import type { Logger } from '../domain/logger.js';

/** The two measurements the writer reports (prom-client histograms satisfy this). */
export interface WriterMetrics {
  commitBatch: { observe(v: number): void };
  commitSeconds: { observe(v: number): void };
}

export interface WriterOptions {
  /** How long to gather items before committing (0: next tick). */
  commitWindow: number;
  /** Most items in one transaction; a full batch commits at once. */
  commitBatch: number;
  /** Told the conversations of every committed batch (the search indexer follows them). */
  committed?: (conversationIds: Set<string>) => void;
}

interface Pending {
  item: WriteItem;
  resolve(o: WriteOutcome): void;
  reject(e: unknown): void;
}

/**
 * The group-commit queue in front of the entry log. `append` resolves only after the item's
 * transaction committed (with the stored row, or the original row for a duplicate clientId);
 * a failed transaction rejects every item of its batch and stores none of them. A recall or
 * edit the store re-checked and refused (its target changed first) rejects with `CONFLICT`.
 * One transaction runs at a time: while it commits, the next batch gathers, so the batch size
 * grows with load and throughput does not depend on one fsync per message.
 */
export class MessageWriter {
  private queue: Pending[] = [];
  private timer: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly log: EntryLogRepo,
    private readonly clock: Clock,
    private readonly opts: WriterOptions,
    private readonly logger: Logger,
    private readonly metrics?: WriterMetrics,
  ) {}

  /** True while a commit runs or items wait for one (the search indexer gives way meanwhile). */
  get busy(): boolean {
    return this.running !== undefined || this.queue.length > 0;
  }

  append(item: WriteItem): Promise<WriteOutcome> {
    if (this.closed) return Promise.reject(fail('UNAVAILABLE', 'The server is shutting down; try again'));
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule() {
    if (this.running) return; // the running flush picks the queue up when it ends
    if (this.queue.length >= this.opts.commitBatch) {
      this.kick();
      return;
    }
    if (this.timer) return;
    if (this.opts.commitWindow <= 0) {
      this.timer = () => {};
      setImmediate(() => this.kick());
    } else {
      this.timer = this.clock.setTimeout(() => this.kick(), this.opts.commitWindow);
    }
  }

  private kick() {
    this.timer?.();
    this.timer = undefined;
    if (this.running || this.queue.length === 0) return;
    this.running = this.flushLoop().finally(() => {
      this.running = undefined;
      if (this.queue.length) this.schedule();
    });
  }

  private async flushLoop() {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.opts.commitBatch);
      const started = performance.now();
      try {
        const out = await this.log.commit(
          batch.map((p) => p.item),
          this.clock.now(),
        );
        this.metrics?.commitBatch.observe(batch.length);
        this.opts.committed?.(new Set(batch.map((p) => p.item.conversationId)));
        this.metrics?.commitSeconds.observe((performance.now() - started) / 1000);
        batch.forEach((p, i) => {
          const o = out[i]!;
          // A recall/edit whose target changed first was not written: only this item fails.
          if (o.conflict) p.reject(fail(o.conflictCode ?? 'CONFLICT', o.conflict));
          else p.resolve(o);
        });
      } catch (err) {
        this.logger.warn({ err, size: batch.length }, 'group commit failed');
        batch.forEach((p) => p.reject(err));
      }
      // Under load, keep going; when only a few arrived meanwhile, let the window gather more.
      if (this.queue.length < this.opts.commitBatch && this.opts.commitWindow > 0) break;
    }
  }

  /** Commits what is queued, then refuses new items. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.queue.length || this.running) {
      if (!this.running) this.kick();
      await this.running;
    }
  }
}
