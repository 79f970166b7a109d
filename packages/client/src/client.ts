import { newClientId } from './client-id.js';
import { type AckedFrame, Outbox } from './client-outbox.js';
import { EntryOrder } from './client-order.js';
import { SyncController } from './client-sync.js';
import { ReceivedReporter } from './client-received.js';
import type { ClientEvents, ClientOptions, ClientState, SendOptions, WebSocketLike } from './client-types.js';
import { type Codec, jsonCodec, msgpackCodec } from './codec.js';
import {
  type AckFrame,
  type ClientFrame,
  CloseCodes,
  type PongFrame,
  type ReadyFrame,
  type ServerFrame,
} from './frames.js';

export * from './client-types.js';

/**
 * THE Parley protocol client: used by the tests, the web client and the load generator.
 * Isomorphic: give it the browser's `WebSocket` or the `ws` package's. It connects to one of
 * several URLs (rotating on failure), authenticates with an `auth` frame, reconnects with
 * exponential backoff and full jitter, resends unacknowledged sends with the SAME clientId
 * ({@link Outbox}), runs `sync` after every (re)connect and repairs gaps ({@link SyncController}),
 * and hands the app each conversation's entries exactly once and in seq order ({@link EntryOrder}).
 */

const OPEN = 1;
/** The server refused the session: retrying with the same token cannot help. */
const STOP_CODES = new Set<number>([CloseCodes.UNAUTHENTICATED, CloseCodes.SESSION_REVOKED]);
/** Refusals that retrying by itself cannot fix: the client stops and says so (`refused`). */
const REFUSED_CODES = new Set<number>([CloseCodes.TOO_MANY_CONNECTIONS]);
const DEFAULT_DEAD_LINK_MS = 10_000;

function randomId(): string {
  const g = globalThis as { crypto?: { randomUUID?: () => string } };
  if (g.crypto?.randomUUID) return g.crypto.randomUUID().replace(/-/g, '');
  return Math.random().toString(36).slice(2) + Date.now().toString(36) + Math.random().toString(36).slice(2);
}

export class ParleyClient {
  state: ClientState = 'idle';
  user?: ReadyFrame['user'];
  sessionId?: string;
  private readonly order = new EntryOrder((e) => {
    this.emit('message', e);
    this.received?.saw(e);
  });
  private readonly received?: ReceivedReporter;
  private readonly outbox: Outbox;
  private readonly sync: SyncController;
  private readonly pings = new Map<string, (p: PongFrame) => void>();
  private readonly listeners = new Map<keyof ClientEvents, Set<(v: never) => void>>();
  private readonly codec: Codec;
  private ws?: WebSocketLike;
  private urlIndex = 0;
  private attempt = 0;
  private stopped = true;
  /** Bumped by `close()`: an `open()` begun before it (awaiting the token) must not open a socket. */
  private epoch = 0;
  private retryTimer?: ReturnType<typeof setTimeout>;
  /** The heartbeat's interval, and the deadline for the next frame to arrive (see `deadLinkMs`). */
  private beatTimer?: ReturnType<typeof setInterval>;
  private deadTimer?: ReturnType<typeof setTimeout>;
  /** `connect()` calls waiting for `ready`; `close()` rejects them. */
  private connecting: { resolve(): void; reject(e: Error): void }[] = [];

  constructor(private readonly opts: ClientOptions) {
    if (!opts.urls.length) throw new Error('ParleyClient: at least one URL');
    this.codec = opts.codec === 'msgpack' ? msgpackCodec : jsonCodec;
    for (const [c, s] of Object.entries(opts.state?.conversations ?? {})) this.order.last.set(c, s);
    this.outbox = new Outbox((f) => this.raw(f), opts);
    if (opts.autoReceived !== false)
      this.received = new ReceivedReporter(
        (f) => this.raw(f),
        () => this.user?.id,
        opts.receivedDelayMs ?? 500,
      );
    this.sync = new SyncController(
      this.order,
      { send: (f) => this.raw(f), online: () => this.state === 'online', emit: (k, v) => this.emit(k, v) },
      opts,
      opts.state?.cursor,
    );
  }

  /** Event cursor: the last per-user event seq seen (undefined before the first sync). */
  get cursor(): number | undefined {
    return this.sync.cursor;
  }

  set cursor(c: number | undefined) {
    this.sync.cursor = c;
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

  /**
   * Starts connecting; resolves on the first `ready` (it keeps reconnecting after that) and
   * rejects when the server refuses the token (4001/4003) or `close()` comes first.
   * While the client is already started, no second socket is opened: the call resolves with the
   * current (or next) `ready`. After `close()` (or a refused token) it starts over in full: a new
   * socket with a fresh token, backoff from the start, and a full sync from the positions the
   * client had (entries already handed over are not handed over again).
   */
  connect(): Promise<void> {
    const p = new Promise<void>((resolve, reject) => this.connecting.push({ resolve, reject }));
    if (!this.stopped) {
      if (this.state === 'online') this.settleConnecting();
      return p;
    }
    this.stopped = false;
    this.attempt = 0;
    this.setState('connecting');
    void this.open();
    return p;
  }

  private settleConnecting(err?: Error) {
    for (const c of this.connecting.splice(0)) {
      if (err) c.reject(err);
      else c.resolve();
    }
  }

  /** Resolves when the current catch-up (if any) has finished. */
  synced(): Promise<void> {
    return this.sync.synced();
  }

  /**
   * Closes for good (until the next `connect()`): unacknowledged sends are rejected with
   * `CLOSED`, a `connect()` still waiting for `ready` rejects, every timer stops.
   */
  close() {
    this.stopped = true;
    this.epoch++;
    clearTimeout(this.retryTimer);
    this.stopHeartbeat();
    this.sync.stop();
    this.received?.stop();
    this.sync.disconnected();
    this.ws?.close(CloseCodes.NORMAL, 'bye');
    this.ws = undefined;
    this.outbox.close();
    this.setState('offline');
    this.settleConnecting(new Error('client closed'));
  }

  /** Drops the socket as if the network failed (tests, and "reconnect now" buttons). */
  drop() {
    this.ws?.close(CloseCodes.CLIENT_DROPPED, 'dropped by client');
  }

  /**
   * Checks the link now: a `ping` that something must answer within `deadLinkMs`, or the socket
   * is abandoned and the client reconnects. Only with a heartbeat configured; no-op when a check
   * is already running or the client is not online.
   */
  probe() {
    if (!this.opts.heartbeatMs || this.state !== 'online' || this.deadTimer || !this.ws) return;
    this.expectFrameWithin(this.ws);
    this.raw({ type: 'ping', id: `hb${randomId().slice(0, 8)}` });
  }

  /** While waiting to reconnect: try now instead of after the backoff (the network is back). */
  retryNow() {
    if (this.stopped || this.state !== 'reconnecting' || this.ws) return;
    clearTimeout(this.retryTimer);
    this.attempt = 0;
    void this.open();
  }

  /**
   * The link is known to be gone (the browser went offline): abandon the socket without waiting
   * for a close handshake that cannot complete, and reconnect with backoff.
   */
  linkLost() {
    if (this.ws) this.abandon(this.ws);
  }

  /** Sends a message; resolves with its ack (after commit), surviving reconnects. */
  send(input: SendOptions): Promise<AckFrame> {
    const { clientId = (this.opts.newClientId ?? newClientId)(), ...rest } = input;
    return this.request({ type: 'send', clientId, ...rest });
  }

  recall(conversation: string, seq: number, clientId = (this.opts.newClientId ?? newClientId)()): Promise<AckFrame> {
    return this.request({ type: 'recall', clientId, conversation, seq });
  }

  edit(
    conversation: string,
    seq: number,
    text: string,
    clientId = (this.opts.newClientId ?? newClientId)(),
  ): Promise<AckFrame> {
    return this.request({ type: 'edit', clientId, conversation, seq, text });
  }

  /** Adds (or with `remove` takes back) an emoji reaction on a message; resolves with the ack. */
  react(
    conversation: string,
    seq: number,
    emoji: string,
    remove = false,
    clientId = (this.opts.newClientId ?? newClientId)(),
  ): Promise<AckFrame> {
    return this.request({ type: 'react', clientId, conversation, seq, emoji, ...(remove ? { remove } : {}) });
  }

  /** Pins (or with `remove` unpins) a message; resolves with the ack. */
  pin(conversation: string, seq: number, remove = false, clientId = (this.opts.newClientId ?? newClientId)()) {
    return this.request({ type: 'pin', clientId, conversation, seq, ...(remove ? { remove } : {}) });
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

  private request(frame: AckedFrame): Promise<AckFrame> {
    return this.outbox.add(frame);
  }

  private setState(s: ClientState) {
    if (this.state === s) return;
    this.state = s;
    this.emit('state', s);
  }

  private async open() {
    if (this.stopped) return;
    const epoch = this.epoch;
    if (this.state !== 'connecting') this.setState('reconnecting');
    const url = this.opts.urls[this.urlIndex % this.opts.urls.length]!;
    let token: string;
    try {
      token = typeof this.opts.token === 'function' ? await this.opts.token() : this.opts.token;
    } catch {
      if (epoch === this.epoch) this.retry();
      return;
    }
    if (epoch !== this.epoch || this.stopped) return; // closed (and maybe restarted) meanwhile
    let ws: WebSocketLike;
    try {
      ws = new this.opts.WebSocket(url, [this.codec.subprotocol]);
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.binaryType = 'arraybuffer';
    // A socket whose `ready` never comes (a link that died during the handshake) is abandoned too.
    if (this.opts.heartbeatMs) this.expectFrameWithin(ws);
    ws.onopen = () => ws.send(this.codec.encode({ type: 'auth', token }));
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      this.heard();
      let frame: ServerFrame;
      try {
        frame = this.codec.decode(
          typeof ev.data === 'string' ? ev.data : new Uint8Array(ev.data as ArrayBuffer),
        ) as ServerFrame;
      } catch {
        return;
      }
      this.onFrame(frame);
    };
    ws.onerror = () => {};
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.stopHeartbeat();
      this.sync.disconnected();
      if (this.stopped) return;
      if (STOP_CODES.has(ev.code)) {
        this.stopped = true;
        this.setState('offline');
        this.emit('unauthorized', { code: ev.code, reason: ev.reason });
        this.settleConnecting(new Error(`unauthorized (${ev.code})`));
        return;
      }
      if (REFUSED_CODES.has(ev.code)) {
        this.stopped = true;
        this.setState('offline');
        this.emit('refused', { code: ev.code, reason: ev.reason });
        this.settleConnecting(new Error(`refused (${ev.code})`));
        return;
      }
      // SERVICE_RESTART: the node is healthy again after a bus outage and asks its clients to
      // reconnect and sync (frames were lost meanwhile); it may be reused. Anything else: try
      // the next URL.
      if (ev.code !== CloseCodes.SERVICE_RESTART) this.urlIndex++;
      else this.attempt = 0;
      this.retry();
    };
  }

  /** Arms the dead-link deadline for `ws`: some frame must arrive within `deadLinkMs`. */
  private expectFrameWithin(ws: WebSocketLike) {
    clearTimeout(this.deadTimer);
    this.deadTimer = setTimeout(() => this.abandon(ws), this.opts.deadLinkMs ?? DEFAULT_DEAD_LINK_MS);
  }

  /** A frame arrived: the link is alive. */
  private heard() {
    clearTimeout(this.deadTimer);
    this.deadTimer = undefined;
  }

  private startHeartbeat() {
    this.stopHeartbeat();
    if (this.opts.heartbeatMs) this.beatTimer = setInterval(() => this.probe(), this.opts.heartbeatMs);
  }

  private stopHeartbeat() {
    clearInterval(this.beatTimer);
    this.beatTimer = undefined;
    this.heard();
  }

  /** Gives up on a socket whose link is dead: it no longer counts, whatever it does later. */
  private abandon(ws: WebSocketLike) {
    if (this.ws !== ws) return;
    this.ws = undefined;
    ws.onmessage = null;
    ws.onclose = null;
    try {
      ws.close(CloseCodes.CLIENT_DROPPED, 'dead link');
    } catch {
      /* closing a socket that never opened may throw; it is dropped either way */
    }
    this.stopHeartbeat();
    this.sync.disconnected();
    if (this.stopped) return;
    this.urlIndex++;
    this.retry();
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
        this.startHeartbeat();
        this.setState('online');
        this.emit('ready', f);
        this.settleConnecting();
        this.outbox.resendAll();
        this.received?.flush();
        this.sync.connected();
        break;
      case 'ack':
        this.emit('ack', f);
        this.outbox.acked(f);
        break;
      case 'error':
        this.outbox.refused(f);
        this.sync.error(f);
        this.emit('error', f);
        break;
      case 'message':
        this.sync.live(f.entry);
        break;
      case 'sync.batch':
        this.sync.batch(f);
        break;
      case 'sync.done':
        this.sync.done(f);
        break;
      case 'receipt':
        this.emit('receipt', f);
        break;
      case 'delivered':
        this.emit('delivered', f);
        break;
      case 'receipts':
        // A catch-up's snapshot, handed over as the live frames it stands for.
        for (const p of f.positions) {
          const base = { conversation: p.conversation, userId: p.userId };
          if (p.readSeq > 0) this.emit('receipt', { type: 'receipt', ...base, seq: p.readSeq });
          if (p.deliveredSeq > 0) this.emit('delivered', { type: 'delivered', ...base, seq: p.deliveredSeq });
        }
        break;
      case 'typing':
        this.emit('typing', f);
        break;
      case 'presence':
        this.emit('presence', f);
        break;
      case 'user.updated':
        this.emit('user.updated', f);
        break;
      case 'event':
        this.sync.event(f.event, false);
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
}
