import type { Logger } from '../domain/logger.js';
import type { MessageWriter } from './message-writer.js';
import { IndexRaceError, type SearchIndexRepo } from '../store/search-index.js';

export interface IndexerOptions {
  /** How long the first committed conversation waits for others to join its pass, ms. */
  window: number;
  /** Entries per pass (one short write transaction). */
  budget: number;
  /** Conversations per pass (default: a quarter of the budget, so each gets a share of at least 4). */
  perPass: number;
  /** How often to look for conversations no node has indexed (a node stopped mid-way), ms. */
  sweepEvery: number;
  /** Longest a search waits for its conversations to be indexed before it runs anyway, ms. */
  flushTimeout: number;
  /**
   * While the writer is busy a pass waits for it, but never longer than this, ms: under
   * sustained saturation the index still advances by a pass per this time.
   */
  maxDefer: number;
  /** True while the group commit has work (the writer's {@link MessageWriter.busy}). */
  writerBusy?: () => boolean;
}

const DEFAULTS: IndexerOptions = {
  window: 50,
  budget: 64,
  perPass: 16,
  sweepEvery: 60_000,
  flushTimeout: 2_000,
  maxDefer: 250,
};

/**
 * Keeps the message search index behind the group commit instead of inside it (indexing in the
 * commit cut the writer's throughput to ~0.3×; see BENCHMARKS.md, "Message search"). The writer
 * reports the conversations each commit touched; passes of up to {@link IndexerOptions.budget}
 * entries index them from their watermarks shortly after, one at a time, so the writer waits
 * for at most one short transaction. A search first brings its own conversations up to date
 * ({@link flush}), so it finds everything committed before it started. A sweep at start and
 * every minute picks up what another node (or this one, before a restart) left unindexed.
 */
export class SearchIndexer {
  private readonly dirty = new Set<string>();
  private readonly opts: IndexerOptions;
  private timer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  /** Passes run and entries indexed since start (for tests and the benchmark). */
  readonly stats = { passes: 0, entries: 0, races: 0, longestPassMs: 0 };

  constructor(
    private readonly repo: SearchIndexRepo,
    private readonly log: Logger,
    opts: Partial<IndexerOptions> = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
    if (opts.budget !== undefined && opts.perPass === undefined)
      this.opts.perPass = Math.max(1, Math.floor(opts.budget / 4));
  }

  start() {
    this.sweep();
    this.sweepTimer = setInterval(() => this.sweep(), this.opts.sweepEvery);
    this.sweepTimer.unref();
  }

  /** Conversations a commit wrote to: indexed within about one window. */
  note(cids: Iterable<string>) {
    if (this.closed) return;
    for (const c of cids) this.dirty.add(c);
    if (this.running || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, this.opts.window);
    this.timer.unref();
  }

  /**
   * Indexes `targets` up to the given seqs now (a search's read-your-writes). Gives up after
   * {@link IndexerOptions.flushTimeout}: the search then runs on what is indexed.
   */
  async flush(targets: readonly { cid: string; upTo: number }[]): Promise<void> {
    const deadline = Date.now() + this.opts.flushTimeout;
    let todo = await this.repo.behind(targets);
    while (todo.length > 0 && Date.now() < deadline) {
      try {
        const pass = await this.repo.index(todo.slice(0, this.opts.perPass), this.opts.budget);
        this.count(pass.entries);
        todo = [...pass.more, ...todo.slice(this.opts.perPass)];
      } catch (err) {
        if (!(err instanceof IndexRaceError)) throw err;
        // Another pass (this node's loop, or another node) moved a mark: look again.
        this.stats.races++;
        todo = await this.repo.behind(targets);
      }
    }
  }

  /** Stops the loop after its current pass; what is left is picked up by the next start's sweep. */
  async close() {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.timer = undefined;
    await this.running;
  }

  /** Resolves when nothing is waiting to be indexed (tests and the benchmark). */
  async idle(): Promise<void> {
    while (this.dirty.size > 0 || this.running || this.timer) {
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.kick();
      }
      await (this.running ?? new Promise((r) => setImmediate(r)));
    }
  }

  private kick() {
    if (this.running || this.closed || this.dirty.size === 0) return;
    this.running = this.loop().finally(() => {
      this.running = undefined;
      if (this.dirty.size > 0) this.note([]);
    });
  }

  private async loop() {
    while (this.dirty.size > 0 && !this.closed) {
      // The writer first: a commit waits for at most one pass, and only when the index lags.
      const busy = this.opts.writerBusy;
      const waiting = Date.now();
      while (busy?.() && Date.now() - waiting < this.opts.maxDefer && !this.closed)
        await new Promise((r) => setTimeout(r, 2));
      const cids: string[] = [];
      for (const c of this.dirty) {
        cids.push(c);
        if (cids.length === this.opts.perPass) break;
      }
      for (const c of cids) this.dirty.delete(c);
      try {
        const started = performance.now();
        const pass = await this.repo.index(cids, this.opts.budget);
        this.stats.longestPassMs = Math.max(this.stats.longestPassMs, performance.now() - started);
        this.count(pass.entries);
        for (const c of pass.more) this.dirty.add(c);
      } catch (err) {
        for (const c of cids) this.dirty.add(c);
        if (err instanceof IndexRaceError) {
          this.stats.races++;
        } else {
          // The database is away: the marks are where they were; try again in a while.
          this.log.warn({ err }, 'search indexing pass failed');
          await new Promise((r) => setTimeout(r, 1000).unref());
        }
      }
      // Let the writer's next commit in between passes.
      await new Promise((r) => setImmediate(r));
    }
  }

  private count(entries: number) {
    this.stats.passes++;
    this.stats.entries += entries;
  }

  private sweep() {
    if (this.closed) return;
    this.repo
      .lagging(10_000)
      .then((cids) => this.note(cids))
      .catch((err) => this.log.warn({ err }, 'search index sweep failed'));
  }
}
