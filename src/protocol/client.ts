import {
  type ClientEvents, type ClientOptions, type ClientState, SendError, type SendOptions, type WebSocketLike,
} from './client-types.js';
import { EntryOrder } from './client-order.js';
import { type Codec, jsonCodec, msgpackCodec } from './codec.js';
import type { AckFrame, ClientFrame, Entry, PongFrame, ReadyFrame, ServerFrame, UserEvent } from './frames.js';

export * from './client-types.js';

/**
 * THE Parley protocol client: used by the tests, the web client and the load generator.
 * Isomorphic: give it the browser's `WebSocket` or the `ws` package's. It connects to one of
 * several URLs (rotating on failure), authenticates with an `auth` frame, reconnects with
 * exponential backoff and full jitter, resends unacknowledged sends with the SAME clientId,
 * runs `sync` after every (re)connect, and hands the app each conversation's entries exactly
 * once and in seq order (out-of-order or missing entries are held back and fetched by sync).
 */

interface PendingSend {
  frame: ClientFrame & { clientId: string };
  resolve(a: AckFrame): void;
  reject(e: Error): void;
  /** Temporary refusals (UNAVAILABLE, RATE_LIMITED, …) so far. */
  refused?: number;
}

const OPEN = 1;
const STOP_CODES = new Set([4001, 4003]);
const SERVICE_RESTART = 1012;

function randomId(): string {
  const g = globalThis as { crypto?: { randomUUID?: () => string } };
  if (g.crypto?.randomUUID) return g.crypto.randomUUID().replace(/-/g, '');
  return Math.random().toString(36).slice(2) + Date.now().toString(36) + Math.random().toString(36).slice(2);
}

export class ParleyClient {
  state: ClientState = 'idle';
  user?: ReadyFrame['user'];
  sessionId?: string;
  /** Event cursor: the last per-user event seq seen (undefined before the first sync). */
  cursor?: number;
  private readonly order = new EntryOrder((e) => this.emit('message', e));
  private readonly pending = new Map<string, PendingSend>();
  private readonly pings = new Map<string, (p: PongFrame) => void>();
  private readonly listeners = new Map<keyof ClientEvents, Set<(v: never) => void>>();
  private readonly codec: Codec;
  private ws?: WebSocketLike;
  private urlIndex = 0;
  private attempt = 0;
  private stopped = true;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private gapTimer?: ReturnType<typeof setTimeout>;
  private refusedTimer?: ReturnType<typeof setTimeout>;
  private syncing = false;
  private syncAgain = false;
  private syncOnly = false;
  private gapTries = 0;
  private syncWaiters: (() => void)[] = [];

  constructor(private readonly opts: ClientOptions) {
    if (!opts.urls.length) throw new Error('ParleyClient: at least one URL');
    this.codec = opts.codec === 'msgpack' ? msgpackCodec : jsonCodec;
    for (const [c, s] of Object.entries(opts.state?.conversations ?? {})) this.order.last.set(c, s);
    this.cursor = opts.state?.cursor;
  }

  on<K extends keyof ClientEvents>(event: K, fn: (v: ClientEvents[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as (v: never) => void);
    return () => set!.delete(fn as (v: never) => void);
  }

  private emit<K extends keyof ClientEvents>(event: K, v: ClientEvents[K]) {
    for (const fn of this.listeners.get(event) ?? []) {
      try {
        (fn as (v: ClientEvents[K]) => void)(v);
      } catch {
        /* a listener's failure is the app's business, not the protocol's */
      }
    }
  }

  /** The last seq handed to the app per conversation, and the event cursor (persist these). */
  snapshot(): { conversations: Record<string, number>; cursor?: number } {
    return { conversations: Object.fromEntries(this.order.last), cursor: this.cursor };
  }

  lastSeq(conversation: string): number | undefined {
    return this.order.last.get(conversation);
  }

  /** Starts connecting; resolves on the first `ready` (it keeps reconnecting after that). */
  connect(): Promise<void> {
    this.stopped = false;
    const p = new Promise<void>((resolve, reject) => {
      const offReady = this.on('ready', () => { offReady(); offUnauth(); resolve(); });
      const offUnauth = this.on('unauthorized', (e) => { offReady(); offUnauth(); reject(new Error(`unauthorized (${e.code})`)); });
    });
    this.open();
    return p;
  }

  /** Resolves when the current catch-up (if any) has finished. */
  synced(): Promise<void> {
    if (!this.syncing && this.state === 'online') return Promise.resolve();
    return new Promise((r) => this.syncWaiters.push(r));
  }

  /** Closes for good; unacknowledged sends are rejected. */
  close() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.gapTimer);
    this.ws?.close(1000, 'bye');
    this.ws = undefined;
    clearTimeout(this.refusedTimer);
    for (const p of this.pending.values()) p.reject(new SendError('CLOSED', 'client closed'));
    this.pending.clear();
    this.setState('offline');
  }

  /** Drops the socket as if the network failed (tests, and "reconnect now" buttons). */
  drop() {
    this.ws?.close(4000, 'dropped by client');
  }

  /** Sends a message; resolves with its ack (after commit), surviving reconnects. */
  send(input: SendOptions): Promise<AckFrame> {
    const { clientId = (this.opts.newClientId ?? randomId)(), ...rest } = input;
    return this.request({ type: 'send', clientId, ...rest });
  }

  recall(conversation: string, seq: number, clientId = (this.opts.newClientId ?? randomId)()): Promise<AckFrame> {
    return this.request({ type: 'recall', clientId, conversation, seq });
  }

  edit(conversation: string, seq: number, text: string, clientId = (this.opts.newClientId ?? randomId)()): Promise<AckFrame> {
    return this.request({ type: 'edit', clientId, conversation, seq, text });
  }

  /** Read position; fire-and-forget (the server keeps the highest). */
  read(conversation: string, seq: number) {
    this.raw({ type: 'read', conversation, seq });
  }

  typing(conversation: string) {
    this.raw({ type: 'typing', conversation });
  }

  ping(): Promise<PongFrame> {
    const id = randomId().slice(0, 16);
    return new Promise((resolve) => {
      this.pings.set(id, resolve);
      this.raw({ type: 'ping', id });
    });
  }

  /** Writes a frame if connected; returns false otherwise (nothing is queued). */
  raw(frame: ClientFrame): boolean {
    if (!this.ws || this.ws.readyState !== OPEN || this.state !== 'online') return false;
    this.ws.send(this.codec.encode(frame));
    return true;
  }

  private request(frame: ClientFrame & { clientId: string }): Promise<AckFrame> {
    return new Promise((resolve, reject) => {
      this.pending.set(frame.clientId, { frame, resolve, reject });
      this.raw(frame);
    });
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
      for (const x of this.pending.values()) if (x.refused) this.raw(x.frame);
    }, delay);
  }

  private setState(s: ClientState) {
    if (this.state === s) return;
    this.state = s;
    this.emit('state', s);
  }

  private async open() {
    if (this.stopped) return;
    this.setState(this.attempt === 0 && this.state === 'idle' ? 'connecting' : 'reconnecting');
    const url = this.opts.urls[this.urlIndex % this.opts.urls.length]!;
    let token: string;
    try {
      token = typeof this.opts.token === 'function' ? await this.opts.token() : this.opts.token;
    } catch {
      this.retry();
      return;
    }
    let ws: WebSocketLike;
    try {
      ws = new this.opts.WebSocket(url, [this.codec.subprotocol]);
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => ws.send(this.codec.encode({ type: 'auth', token }));
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      let frame: ServerFrame;
      try {
        frame = this.codec.decode(typeof ev.data === 'string' ? ev.data : new Uint8Array(ev.data as ArrayBuffer)) as ServerFrame;
      } catch {
        return;
      }
      this.onFrame(frame);
    };
    ws.onerror = () => {};
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.syncing = false;
      if (this.stopped) return;
      if (STOP_CODES.has(ev.code)) {
        this.stopped = true;
        this.setState('offline');
        this.emit('unauthorized', { code: ev.code, reason: ev.reason });
        return;
      }
      // 1012: the node is healthy again after a bus outage and asks its clients to reconnect
      // and sync (frames were lost meanwhile); it may be reused. Anything else: try the next URL.
      if (ev.code !== SERVICE_RESTART) this.urlIndex++;
      else this.attempt = 0;
      this.retry();
    };
  }

  private retry() {
    if (this.stopped) return;
    this.setState('reconnecting');
    const initial = this.opts.backoffInitialMs ?? 250;
    const cap = Math.min(this.opts.backoffMaxMs ?? 15_000, initial * 2 ** Math.min(this.attempt, 16));
    this.attempt++;
    const delay = Math.floor((this.opts.random ?? Math.random)() * cap);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  private onFrame(f: ServerFrame) {
    switch (f.type) {
      case 'ready':
        this.user = f.user;
        this.sessionId = f.sessionId;
        this.attempt = 0;
        this.setState('online');
        this.emit('ready', f);
        for (const p of this.pending.values()) this.raw(p.frame);
        this.startSync(false);
        break;
      case 'ack': {
        const p = this.pending.get(f.clientId);
        this.pending.delete(f.clientId);
        this.emit('ack', f);
        p?.resolve(f);
        break;
      }
      case 'error': {
        const p = f.clientId !== undefined ? this.pending.get(f.clientId) : undefined;
        // A temporary refusal (the server could not reach its database or Redis, or the sender
        // is over its rate) keeps the send pending: it is resent after a backoff on this
        // socket, and on every reconnect (same clientId).
        if (p && !f.temporary) {
          this.pending.delete(f.clientId!);
          p.reject(new SendError(f.code, f.message));
        } else if (p) {
          this.retryLater(p);
        }
        // A sync refused temporarily (rate limit, database unreachable) gets no sync.done: try
        // it again a little later. (A read's RATE_LIMITED looks the same; then the extra sync is
        // merely redundant.) The same for a server fault (INTERNAL): a sync is a read, safe to
        // repeat, and without this the client stayed "syncing" forever and held every new entry back.
        if (f.clientId === undefined && (f.temporary || f.code === 'INTERNAL') && this.syncing) {
          this.syncing = false;
          const only = this.syncOnly;
          const delay = f.code === 'RATE_LIMITED' ? 1000 : (this.opts.unavailableRetryMs ?? 1000);
          setTimeout(() => { if (this.state === 'online' && !this.syncing) this.startSync(only); }, delay);
        }
        this.emit('error', f);
        break;
      }
      case 'message':
        if (this.order.live(f.entry) && !this.syncing) this.scheduleGapSync(this.opts.gapDelayMs ?? 250);
        break;
      case 'sync.batch':
        if (f.reset !== undefined && this.order.reset(f.conversation, f.reset)) {
          this.emit('reset', { conversation: f.conversation, firstSeq: f.reset });
        }
        for (const e of f.entries) this.order.synced(e);
        this.order.drain(f.conversation);
        break;
      case 'sync.done':
        for (const e of f.events) this.onEvent(e, true);
        this.cursor = Math.max(this.cursor ?? 0, f.cursor);
        for (const c of f.conversations) {
          if (!this.order.last.has(c.id)) this.order.last.set(c.id, Math.max(c.minSeq - 1, 0));
          this.emit('conversation', c);
        }
        this.emit('synced', f);
        this.syncing = false;
        this.order.drainAll();
        // Held entries a repair could not place (e.g. the user just left that group) are dropped
        // after a few tries, so a refused conversation cannot make the client sync forever.
        if (this.order.gaps().length && this.syncOnly && ++this.gapTries >= 3) this.order.dropHeld();
        if (!this.order.gaps().length) this.gapTries = 0;
        if (this.syncAgain || this.order.gaps().length) {
          this.syncAgain = false;
          this.scheduleGapSync(this.gapTries ? (this.opts.gapDelayMs ?? 250) : 0);
        } else {
          for (const w of this.syncWaiters.splice(0)) w();
        }
        break;
      case 'receipt':
        this.emit('receipt', f);
        break;
      case 'typing':
        this.emit('typing', f);
        break;
      case 'presence':
        this.emit('presence', f);
        break;
      case 'event':
        this.onEvent(f.event, false);
        break;
      case 'pong': {
        const id = f.id === undefined ? undefined : String(f.id);
        const fn = id ? this.pings.get(id) : undefined;
        if (id) this.pings.delete(id);
        fn?.(f);
        break;
      }
    }
  }

  private onEvent(e: UserEvent, fromSync: boolean) {
    if (this.cursor === undefined) {
      // Before the first sync the cursor is unknown: sync.done will place it.
      if (!fromSync) return;
    } else if (e.seq <= this.cursor) {
      return;
    } else if (!fromSync && e.seq > this.cursor + 1) {
      this.syncAgain = true;
      this.scheduleGapSync(this.opts.gapDelayMs ?? 250);
      return;
    }
    this.cursor = e.seq;
    this.emit('event', e);
  }

  private scheduleGapSync(delay: number) {
    if (this.gapTimer) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = undefined;
      if (this.state !== 'online') return;
      if (this.syncing) {
        this.syncAgain = true;
        return;
      }
      this.startSync(true);
    }, delay);
  }

  /** Full sync lists every known conversation; a gap repair lists only the ones with held entries. */
  private startSync(only: boolean) {
    const conversations: Record<string, number> = {};
    if (only) for (const cid of this.order.gaps()) conversations[cid] = this.order.last.get(cid) ?? 0;
    else for (const [cid, seq] of this.order.last) conversations[cid] = seq;
    this.syncing = true;
    this.syncOnly = only;
    const frame: ClientFrame = { type: 'sync', conversations, ...(this.cursor !== undefined ? { events: this.cursor } : {}), ...(this.opts.syncLimit ? { limit: this.opts.syncLimit } : {}), ...(only ? { only: true } : {}) };
    if (!this.raw(frame)) this.syncing = false;
  }
}
