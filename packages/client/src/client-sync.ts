import type { ClientEvents } from './client-types.js';
import type { EntryOrder } from './client-order.js';
import type { ClientFrame, Entry, ErrorFrame, SyncBatchFrame, SyncDoneFrame, UserEvent } from './frames.js';

/** Error codes (without a clientId) that end a sync without `sync.done`: retry it later. */
/** Repair syncs that may fail to place held entries before they are dropped. */
const MAX_GAP_TRIES = 3;

export interface SyncOptions {
  /** Entries per sync batch (server default when unset). */
  syncLimit?: number;
  /** Delay before a detected gap is repaired (ms, default 250). */
  gapDelayMs?: number;
  /** Delay before a sync refused with UNAVAILABLE or INTERNAL is tried again (ms, default 1000). */
  unavailableRetryMs?: number;
}

/** The client events the controller raises. */
type SyncEvent = 'reset' | 'event' | 'conversation' | 'synced';

/** What the controller needs of the client around it. */
export interface SyncHost {
  /** Writes a frame on the ready socket; false when there is none (the sync is then not running). */
  send(frame: ClientFrame): boolean;
  /** True while a socket is ready. */
  online(): boolean;
  emit<K extends SyncEvent>(event: K, v: ClientEvents[K]): void;
}

/**
 * Catch-up and gap repair (protocol.md §5). Contract: after {@link connected} it sends one full
 * `sync` listing every known conversation's last seq and the event cursor; `sync.batch` entries
 * go to the {@link EntryOrder} (a `reset` moves a conversation's position first), `sync.done`
 * places the cursor and releases what became contiguous. A live entry or event that arrives
 * ahead of a gap schedules a repair sync (`only: true`, listing just the conversations with held
 * entries) after `gapDelayMs`, never two at once; held entries a few repairs cannot place are
 * dropped. A sync refused without `sync.done` (rate limit, unavailable, internal) is retried.
 */
export class SyncController {
  /** Event cursor: the last per-user event seq seen (undefined before the first sync). */
  cursor?: number;
  private running = false;
  private again = false;
  private only = false;
  private gapTries = 0;
  private waiters: (() => void)[] = [];
  private gapTimer?: ReturnType<typeof setTimeout>;
  /** Pages of a paged `sync.done` (`more: true`) gathered until its last page. */
  private pages: SyncDoneFrame[] = [];
  private retryTimer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly order: EntryOrder,
    private readonly host: SyncHost,
    private readonly opts: SyncOptions = {},
    cursor?: number,
  ) {
    this.cursor = cursor;
  }

  /** True while a sync is under way (its `sync.done` has not come). */
  get syncing(): boolean {
    return this.running;
  }

  /** Resolves when the current catch-up (if any) has finished and the socket is ready. */
  synced(): Promise<void> {
    if (!this.running && this.host.online()) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  /** A socket became ready: full catch-up. */
  connected() {
    this.start(false);
  }

  /** The socket is gone: a sync under way on it will not finish. */
  disconnected() {
    this.running = false;
    this.pages = [];
  }

  /** Stops the timers (the client is closing). */
  stop() {
    clearTimeout(this.gapTimer);
    clearTimeout(this.retryTimer);
    this.gapTimer = this.retryTimer = undefined;
  }

  /** A live `message` entry. */
  live(e: Entry) {
    if (this.order.live(e) && !this.running) this.scheduleGapSync(this.opts.gapDelayMs ?? 250);
  }

  batch(f: SyncBatchFrame) {
    if (f.reset !== undefined && this.order.reset(f.conversation, f.reset)) {
      this.host.emit('reset', { conversation: f.conversation, firstSeq: f.reset });
    }
    for (const e of f.entries) this.order.synced(e);
    this.order.drain(f.conversation);
  }

  /** A `sync.done` page: the pages are gathered and the catch-up ends with the last one. */
  done(page: SyncDoneFrame) {
    if (page.more) {
      this.pages.push(page);
      return;
    }
    const pages = this.pages.splice(0);
    pages.push(page);
    const f: SyncDoneFrame =
      pages.length === 1
        ? page
        : {
            type: 'sync.done',
            events: pages.flatMap((p) => p.events),
            conversations: pages.flatMap((p) => p.conversations),
            cursor: page.cursor,
          };
    for (const e of f.events) this.event(e, true);
    this.cursor = Math.max(this.cursor ?? 0, f.cursor);
    for (const c of f.conversations) {
      if (!this.order.last.has(c.id)) this.order.last.set(c.id, Math.max(c.minSeq - 1, 0));
      this.host.emit('conversation', c);
    }
    this.host.emit('synced', f);
    this.running = false;
    this.order.drainAll();
    // Held entries a repair could not place (e.g. the user just left that group) are dropped
    // after a few tries, so a refused conversation cannot make the client sync forever.
    if (this.order.gaps().length && this.only && ++this.gapTries >= MAX_GAP_TRIES) this.order.dropHeld();
    if (!this.order.gaps().length) this.gapTries = 0;
    if (this.again || this.order.gaps().length) {
      this.again = false;
      this.scheduleGapSync(this.gapTries ? (this.opts.gapDelayMs ?? 250) : 0);
    } else {
      for (const w of this.waiters.splice(0)) w();
    }
  }

  /**
   * An error frame. A refused sync gets no `sync.done`: it is tried again a little later (a
   * read's RATE_LIMITED looks the same; then the extra sync is merely redundant). Without this
   * the client stayed "syncing" forever and held every new entry back.
   */
  error(f: ErrorFrame) {
    // A server fault (INTERNAL) is retried too: a sync is a read, safe to repeat.
    if (f.clientId !== undefined || !(f.temporary || f.code === 'INTERNAL') || !this.running) return;
    this.running = false;
    const only = this.only;
    const delay = f.code === 'RATE_LIMITED' ? 1000 : (this.opts.unavailableRetryMs ?? 1000);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.host.online() && !this.running) this.start(only);
    }, delay);
  }

  /** A per-user event, live (`event` frame) or from `sync.done`; handed over once, in order. */
  event(e: UserEvent, fromSync: boolean) {
    if (this.cursor === undefined) {
      // Before the first sync the cursor is unknown: sync.done will place it.
      if (!fromSync) return;
    } else if (e.seq <= this.cursor) {
      return;
    } else if (!fromSync && e.seq > this.cursor + 1) {
      this.again = true;
      this.scheduleGapSync(this.opts.gapDelayMs ?? 250);
      return;
    }
    this.cursor = e.seq;
    this.host.emit('event', e);
  }

  private scheduleGapSync(delay: number) {
    if (this.gapTimer) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = undefined;
      if (!this.host.online()) return;
      if (this.running) {
        this.again = true;
        return;
      }
      this.start(true);
    }, delay);
  }

  /** Full sync lists every known conversation; a gap repair lists only the ones with held entries. */
  private start(only: boolean) {
    const conversations: Record<string, number> = {};
    if (only) for (const cid of this.order.gaps()) conversations[cid] = this.order.last.get(cid) ?? 0;
    else for (const [cid, seq] of this.order.last) conversations[cid] = seq;
    this.running = true;
    this.only = only;
    this.pages = [];
    const frame: ClientFrame = {
      type: 'sync',
      conversations,
      ...(this.cursor !== undefined ? { events: this.cursor } : {}),
      ...(this.opts.syncLimit ? { limit: this.opts.syncLimit } : {}),
      ...(only ? { only: true } : {}),
    };
    if (!this.host.send(frame)) this.running = false;
  }
}
