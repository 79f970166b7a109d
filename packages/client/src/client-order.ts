import type { Entry } from './frames.js';

/**
 * The client's per-conversation ordering: entries reach the app once and in seq order. A live
 * entry that arrives ahead of a gap is held until sync (or a late live frame) fills the gap.
 */
export class EntryOrder {
  /** Last seq handed to the app, per conversation. */
  readonly last = new Map<string, number>();
  private readonly held = new Map<string, Map<number, Entry>>();

  constructor(private readonly deliver: (e: Entry) => void) {}

  /** A live `message` entry. Returns true when it was held (there is a gap to repair). */
  live(e: Entry): boolean {
    const cid = e.conversation;
    const last = this.last.get(cid);
    if (last !== undefined && e.seq <= last) return false;
    // Seq 1 opens a conversation: nothing can precede it, so a conversation the client has not
    // seen yet (a new DM, a group created a moment ago) needs no repair sync for its first entry.
    if ((last ?? 0) + 1 === e.seq) {
      this.hand(e);
      this.drain(cid);
      return false;
    }
    let held = this.held.get(cid);
    if (!held) this.held.set(cid, (held = new Map()));
    held.set(e.seq, e);
    return true;
  }

  /** An entry from `sync.batch`: contiguous from the server's starting point. */
  synced(e: Entry) {
    const last = this.last.get(e.conversation);
    if (last === undefined || e.seq > last) this.hand(e);
  }

  /** Retention removed entries before `firstSeq`; returns true when that moved the position. */
  reset(cid: string, firstSeq: number): boolean {
    if ((this.last.get(cid) ?? 0) >= firstSeq - 1) return false;
    this.last.set(cid, firstSeq - 1);
    return true;
  }

  /** Hands out held entries that became contiguous. */
  drain(cid: string) {
    const held = this.held.get(cid);
    if (!held) return;
    let last = this.last.get(cid);
    for (const seq of [...held.keys()].sort((a, b) => a - b)) {
      if (last !== undefined && seq <= last) held.delete(seq);
      else if (last !== undefined && seq === last + 1) {
        this.hand(held.get(seq)!);
        held.delete(seq);
        last = seq;
      }
    }
    if (held.size === 0) this.held.delete(cid);
  }

  drainAll() {
    for (const cid of [...this.held.keys()]) this.drain(cid);
  }

  /** Conversations with held entries (each needs a repair sync). */
  gaps(): string[] {
    return [...this.held.keys()];
  }

  dropHeld() {
    this.held.clear();
  }

  private hand(e: Entry) {
    this.last.set(e.conversation, e.seq);
    this.deliver(e);
  }
}
