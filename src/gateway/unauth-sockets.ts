/**
 * Sockets that upgraded without credentials and have not authenticated yet, counted per client
 * address and in total on this node. Each costs a socket and an auth timer for up to
 * `PARLEY_AUTH_TIMEOUT`, so both counts are capped: {@link take} refuses past either cap, and the
 * slot is given back once (by the returned release) when the socket authenticates or closes.
 */
export class UnauthSockets {
  private readonly perAddress = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly maxPerAddress: number,
    private readonly maxTotal: number,
  ) {}

  /** A slot for a socket from `address`, or undefined when a cap is reached. */
  take(address: string): (() => void) | undefined {
    const n = this.perAddress.get(address) ?? 0;
    if (n >= this.maxPerAddress || this.total >= this.maxTotal) return undefined;
    this.perAddress.set(address, n + 1);
    this.total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left > 0) this.perAddress.set(address, left);
      else this.perAddress.delete(address);
    };
  }

  get size(): number {
    return this.total;
  }
}
