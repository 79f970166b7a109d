/**
 * The inbound frame rate of one socket: a token bucket of `burst` frames refilled at `rate` per
 * second, covering every frame (`ping` included, and frames that fail to decode). It is local
 * to the socket on purpose: it bounds the work one connection can ask of this node, which the
 * cluster-wide per-user limits (messages, syncs) do not.
 */
export class FrameBudget {
  private tokens: number;
  private at: number;
  /** Frames refused since the last one let through. */
  refusedInRow = 0;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }

  /** True when the frame may be handled; false when it is over the rate. */
  take(now: number): boolean {
    if (now > this.at) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) * this.rate) / 1000);
      this.at = now;
    }
    if (this.tokens >= 1) {
      this.tokens--;
      this.refusedInRow = 0;
      return true;
    }
    this.refusedInRow++;
    return false;
  }
}
