import type { AckFrame, Entry, ParleyClient } from '@parley/client';

interface Device {
  name: string;
  userId: string;
  received: Map<string, number[]>;
}

/**
 * The delivery promise as a check: every test client records what it sent (acked) and what it
 * received; for every conversation and every member device, the received seqs must be exactly
 * the acked seqs: nothing missing, nothing twice, the same order everywhere.
 */
export class DeliveryChecker {
  private readonly acked = new Map<string, Set<number>>();
  private readonly devices: Device[] = [];

  /** Starts recording a device (before it connects, so nothing slips past). */
  attach(name: string, userId: string, client: ParleyClient): void {
    const d: Device = { name, userId, received: new Map() };
    this.devices.push(d);
    client.on('message', (e: Entry) => {
      const list = d.received.get(e.conversation) ?? [];
      list.push(e.seq);
      d.received.set(e.conversation, list);
    });
    client.on('ack', (a: AckFrame) => this.ack(a));
  }

  ack(a: Pick<AckFrame, 'conversation' | 'seq'>) {
    const set = this.acked.get(a.conversation) ?? new Set();
    set.add(a.seq);
    this.acked.set(a.conversation, set);
  }

  /**
   * Entries that exist without a tracked client's ack: system entries (joins, kicks), REST
   * sends, messages from untracked raw sockets. Devices must receive them exactly once too.
   */
  stored(cid: string, seqs: Iterable<number>): void {
    for (const seq of seqs) this.ack({ conversation: cid, seq });
  }

  /** Duplicates a device was handed (the same seq twice in one conversation): always a bug. */
  duplicates(): string[] {
    const out: string[] = [];
    for (const d of this.devices) {
      for (const [cid, seqs] of d.received) {
        const seen = new Set<number>();
        for (const s of seqs) {
          if (seen.has(s)) out.push(`${d.name} got ${cid}#${s} twice`);
          seen.add(s);
        }
      }
    }
    return out;
  }

  /** Devices recorded so far (for reports). */
  get deviceCount(): number {
    return this.devices.length;
  }

  expected(cid: string, from = 0): number[] {
    return [...(this.acked.get(cid) ?? [])].filter((s) => s > from).sort((a, b) => a - b);
  }

  received(name: string, cid: string): number[] {
    return this.devices.find((d) => d.name === name)?.received.get(cid) ?? [];
  }

  /** Waits until every member device has at least the highest acked seq of each conversation. */
  async settle(members: Record<string, string[]>, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const behind = this.problems(members, true);
      if (behind.length === 0) return;
      if (Date.now() > until) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Problems found; `members` maps each conversation to the user ids whose devices must have it all. */
  problems(members: Record<string, string[]>, onlyLag = false): string[] {
    const out: string[] = [];
    for (const [cid, users] of Object.entries(members)) {
      const want = this.expected(cid);
      for (const d of this.devices.filter((x) => users.includes(x.userId))) {
        const got = d.received.get(cid) ?? [];
        if (onlyLag) {
          if (want.length && Math.max(0, ...got) < want[want.length - 1]!) out.push(`${d.name} behind in ${cid}`);
          continue;
        }
        if (got.length !== want.length || got.some((s, i) => s !== want[i])) {
          out.push(`${d.name} in ${cid}: received [${got.join(',')}] but acked [${want.join(',')}]`);
        }
      }
    }
    return out;
  }

  /** Throws unless every member device received exactly the acked sequence of every conversation. */
  verify(members: Record<string, string[]>): void {
    for (const [cid] of Object.entries(members)) {
      const want = this.expected(cid);
      for (let i = 1; i < want.length; i++)
        if (want[i] !== want[i - 1]! + 1) throw new Error(`acked seqs of ${cid} have a gap at ${want[i - 1]}`);
    }
    const p = this.problems(members);
    if (p.length) throw new Error(`delivery check failed:\n${p.join('\n')}`);
  }
}
