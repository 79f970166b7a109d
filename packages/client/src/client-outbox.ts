import { SendError } from './client-types.js';
import type { AckFrame, ClientFrame, ErrorFrame } from './frames.js';

/** A frame that is answered by an `ack` (send, recall, edit). */
export type AckedFrame = ClientFrame & { clientId: string };

interface PendingSend {
  frame: AckedFrame;
  resolve(a: AckFrame): void;
  reject(e: Error): void;
  /** Temporary refusals (UNAVAILABLE, RATE_LIMITED, …) so far. */
  refused?: number;
}

export interface OutboxOptions {
  /** First delay before resending a send refused temporarily (ms, default 1000). */
  unavailableRetryMs?: number;
  /** Largest such delay (ms, default 15 000). */
  backoffMaxMs?: number;
  random?: () => number;
}

/**
 * The client's unacknowledged sends. Contract: every added frame stays until its `ack` (resolves)
 * or a final `error` with its clientId (rejects with {@link SendError}); it is written again,
 * unchanged (the SAME clientId, so the server stores it once), on every {@link resendAll} and,
 * after a temporary refusal, after a backoff. Resends keep the order the frames were added in,
 * so a device's messages keep their order. `write` returns false when nothing could be written
 * (offline); the frame then waits for the next `resendAll`.
 */
export class Outbox {
  private readonly pending = new Map<string, PendingSend>();
  private refusedTimer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly write: (frame: ClientFrame) => boolean,
    private readonly opts: OutboxOptions = {},
  ) {}

  /** Unacknowledged clientIds, oldest first. */
  get clientIds(): string[] {
    return [...this.pending.keys()];
  }

  /** Keeps `frame` until it is answered, writes it now if possible; resolves with its ack. */
  add(frame: AckedFrame): Promise<AckFrame> {
    return new Promise((resolve, reject) => {
      this.pending.set(frame.clientId, { frame, resolve, reject });
      this.write(frame);
    });
  }

  /** A (re)connected socket is ready: every unacknowledged frame is written again, in order. */
  resendAll() {
    for (const p of this.pending.values()) this.write(p.frame);
  }

  /** An ack: its send is done. Unknown clientIds (another tab's, a duplicate ack) are ignored. */
  acked(f: AckFrame) {
    const p = this.pending.get(f.clientId);
    this.pending.delete(f.clientId);
    p?.resolve(f);
  }

  /**
   * An error frame. One naming a pending send rejects it, except a temporary refusal (the frame
   * says `temporary`: the server could not reach its database or Redis, or the sender is over
   * its rate, and stored nothing): that send stays and is resent after a backoff on this socket,
   * and on every reconnect.
   */
  refused(f: ErrorFrame) {
    if (f.clientId === undefined) return;
    const p = this.pending.get(f.clientId);
    if (!p) return;
    if (f.temporary) {
      this.retryLater(p);
      return;
    }
    this.pending.delete(f.clientId);
    p.reject(new SendError(f.code, f.message));
  }

  /** Rejects every pending send with `CLOSED` and stops the resend timer. */
  close() {
    clearTimeout(this.refusedTimer);
    this.refusedTimer = undefined;
    for (const p of this.pending.values()) p.reject(new SendError('CLOSED', 'client closed'));
    this.pending.clear();
  }

  /**
   * One timer for every refused send, resending them all in their original order (separate
   * timers with jitter would reorder a device's messages). The delay doubles with the most
   * refusals any of them got.
   */
  private retryLater(p: PendingSend) {
    p.refused = (p.refused ?? 0) + 1;
    if (this.refusedTimer) return;
    const base = this.opts.unavailableRetryMs ?? 1000;
    const most = Math.max(...[...this.pending.values()].map((x) => x.refused ?? 0));
    const cap = Math.min(this.opts.backoffMaxMs ?? 15_000, base * 2 ** Math.min(most - 1, 10));
    // Half fixed, half jitter: many clients refused at once do not come back at once.
    const delay = Math.floor(cap / 2 + (this.opts.random ?? Math.random)() * (cap / 2));
    this.refusedTimer = setTimeout(() => {
      this.refusedTimer = undefined;
      for (const x of this.pending.values()) if (x.refused) this.write(x.frame);
    }, delay);
  }
}
