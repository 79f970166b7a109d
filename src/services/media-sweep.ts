import type { BlobStore } from '../blobs/blob-store.js';
import type { ServiceDeps } from './deps.js';

export interface SweepResult {
  /** Blobs whose row and bytes were removed (no media record referenced them). */
  blobs: number;
  /** Stored bytes without any blob row (left by a crash between write and record). */
  orphans: number;
  /** Temp files of interrupted uploads. */
  temps: number;
}

/** Rows looked at per batch, so one sweep never holds a huge result set. */
const BATCH = 500;

/**
 * Collects blobs that no media record references (neither as file nor as thumbnail). Only
 * blobs untouched for the grace period (`blobSweepGrace`) are candidates: an upload touches its
 * blob row right after writing it and records the media right after that, so an upload in
 * progress never loses its bytes. Runs every `blobSweepInterval` (0 = never) through the
 * injectable clock; tests call {@link sweep} directly.
 */
export class BlobSweeper {
  private stopTimer?: () => void;
  private running?: Promise<SweepResult>;
  /** The most recent run started by the timer (tests await it). */
  lastTimedRun?: Promise<SweepResult>;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly blobs: BlobStore,
    private readonly pinned: (sha256: string) => boolean,
  ) {}

  start(): void {
    const every = this.deps.config.blobSweepInterval;
    if (every <= 0 || this.stopTimer) return;
    this.stopTimer = this.deps.clock.setInterval(() => {
      this.lastTimedRun = this.sweep();
      this.lastTimedRun.catch((err) => this.deps.log.warn({ err }, 'blob sweep failed'));
    }, every);
  }

  /** Stops the timer and waits for a sweep in progress (so the store is not closed under it). */
  async stop(): Promise<void> {
    this.stopTimer?.();
    this.stopTimer = undefined;
    await this.running?.catch(() => {});
  }

  /** One full sweep; concurrent calls share the run in progress. */
  sweep(): Promise<SweepResult> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<SweepResult> {
    const { store, clock, config, log } = this.deps;
    const cutoff = clock.now() - config.blobSweepGrace;
    const result: SweepResult = { blobs: 0, orphans: 0, temps: 0 };
    const seen = new Set<string>();
    for (;;) {
      const batch = (await store.media.unreferencedBlobs(cutoff, BATCH)).filter((s) => !seen.has(s));
      if (batch.length === 0) break;
      for (const sha of batch) {
        seen.add(sha);
        if (this.pinned(sha)) continue;
        // The row goes first, conditionally: a blob re-referenced or touched since is kept.
        if (await store.media.deleteBlobIfUnreferenced(sha, cutoff)) {
          await this.blobs.delete(sha);
          result.blobs++;
        }
      }
    }
    // Bytes without a row: an upload that crashed after writing. Old enough ones go.
    let chunk: string[] = [];
    const flush = async () => {
      const known = await store.media.knownBlobs(chunk);
      for (const sha of chunk) {
        if (known.has(sha) || this.pinned(sha)) continue;
        const info = await this.blobs.stat(sha);
        if (info && info.modifiedAt < cutoff && !(await store.media.knownBlobs([sha])).has(sha)) {
          await this.blobs.delete(sha);
          result.orphans++;
        }
      }
      chunk = [];
    };
    for await (const info of this.blobs.list()) {
      if (info.modifiedAt >= cutoff) continue;
      chunk.push(info.sha256);
      if (chunk.length >= BATCH) await flush();
    }
    await flush();
    result.temps = await this.blobs.purgeStale(cutoff);
    if (result.blobs || result.orphans || result.temps) log.info({ ...result }, 'blob sweep');
    return result;
  }
}
