import type { WebSocket } from 'ws';
import type { Config } from '../config.js';
import type { Clock } from '../domain/clock.js';
import { type ErrorCode, fail, isAppError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import type { Metrics } from '../metrics.js';
import { type ClientFrame, CloseCodes, type Codec, FrameError, type ServerFrame } from '@parley/client';
import { checkFrame } from '../protocol/frame-schemas.js';
import type { AccountService, Actor } from '../services/accounts.js';
import type { Logger } from '../domain/logger.js';
import type { MessagingService } from '../services/messaging.js';
import type { PresenceLifecycle } from '../services/presence-lifecycle.js';
import { errorFrame, toWireError } from '../transport/errors.js';
import type { Hub, HubConn } from './hub.js';
import { FrameBudget } from './frame-budget.js';
import { type PreparedFrame, SocketWriter } from './socket-writer.js';

export interface ConnectionDeps {
  accounts: AccountService;
  messaging: MessagingService;
  hub: Hub;
  config: Config;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  /** Cluster-wide connection limit and presence (see services/presence-lifecycle.ts). */
  lifecycle: PresenceLifecycle;
}

/** Invalid frames in a row after which the socket is closed with 1008. */
const MAX_BAD_FRAMES = 20;
/** Frames a client may pipeline before `ready`; more closes the socket with 1008. */
const MAX_EARLY_FRAMES = 64;
/** Least time between two checks of a ready socket's session (see {@link Connection.checkSession}). */
export const SESSION_CHECK_MS = 60_000;

/**
 * One WebSocket: authentication (header before the upgrade, or a first `auth` frame within
 * `authTimeout`), decoding and validation of every frame, dispatch to the services, and
 * bounded writes through its {@link SocketWriter} (a socket whose unsent buffer passes
 * `slowConsumerBytes` is closed with 4009).
 * Frames of one connection are admitted in order: a send is queued in the writer before the
 * next frame is looked at, so one device's messages keep their order.
 */
export class Connection implements HubConn {
  readonly id: string;
  userId = '';
  sessionId = '';
  lastSeen: number;
  private state: 'auth' | 'starting' | 'ready' | 'closed' = 'auth';
  private registered = false;
  /** Holds a slot of the cluster-wide per-user connection limit. */
  private admitted = false;
  private badFrames = 0;
  private early: ClientFrame[] = [];
  private chain: Promise<void> = Promise.resolve();
  private cancelAuthTimer?: () => void;
  /** Frames arrived since the last session check: the socket is in use. */
  private usedSinceCheck = false;
  private lastSessionCheck = 0;
  private checkingSession = false;
  /** The write path: corking, raw prepared-frame writes, the slow-consumer bound (4009). */
  private readonly writer: SocketWriter;
  /** Inbound frame rate (every frame type). */
  private readonly budget: FrameBudget;
  /**
   * Gives back this socket's slot among the unauthenticated ones (gateway); called once, when
   * it authenticates or closes.
   */
  releaseUnauth?: () => void;

  constructor(
    private readonly ws: WebSocket,
    readonly codecImpl: Codec,
    private readonly d: ConnectionDeps,
    id = newId(),
  ) {
    this.id = id;
    this.lastSeen = d.clock.now();
    this.budget = new FrameBudget(d.config.frameRate, d.config.frameBurst, this.lastSeen);
    this.writer = new SocketWriter(ws, d.config.slowConsumerBytes, {
      isClosed: () => this.isClosed(),
      onSent: () => d.metrics.messagesOut.inc(),
      onSlowConsumer: () => {
        d.metrics.slowConsumers.inc();
        this.close(CloseCodes.SLOW_CONSUMER, 'slow consumer; reconnect and sync');
      },
    });
    ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    ws.on('pong', () => {
      this.lastSeen = d.clock.now();
    });
    ws.on('close', () => void this.cleanup());
    ws.on('error', () => {});
  }

  get codec() {
    return this.codecImpl.name;
  }

  get buffered() {
    return this.writer.buffered;
  }

  /** `admitted`: the gateway already took this connection's slot in the per-user limit. */
  start(actor?: Actor, admitted = false) {
    this.d.metrics.connections.inc();
    if (actor) {
      // Set now, not in `begin`: a close from here on must give the slot back.
      this.admitted = admitted;
      this.userId = actor.userId;
      void this.begin(actor);
      return;
    }
    this.cancelAuthTimer = this.d.clock.setTimeout(() => {
      if (this.state === 'auth') this.close(CloseCodes.AUTH_TIMEOUT, 'authentication timeout');
    }, this.d.config.authTimeout);
  }

  private async begin(actor: Actor) {
    this.cancelAuthTimer?.();
    this.releaseUnauth?.();
    this.state = 'starting';
    this.userId = actor.userId;
    this.sessionId = actor.sessionId;
    const { hub, messaging, accounts } = this.d;
    try {
      // The limit holds across nodes (the counter is shared through Redis when configured).
      if (!this.admitted) {
        if (!(await this.d.lifecycle.admit(actor.userId, this.id))) {
          this.close(CloseCodes.TOO_MANY_CONNECTIONS, 'too many connections');
          return;
        }
        if (this.isClosed()) {
          await this.d.lifecycle.release(actor.userId, this.id);
          return;
        }
        this.admitted = true;
      } else if (this.isClosed()) return;
      const groups = await messaging.groupIds(actor.userId);
      if (this.isClosed()) return;
      this.registered = true;
      await hub.add(this, groups);
      if (this.isClosed()) return; // cleanup ran meanwhile: do not register presence after it
      const online = await this.d.lifecycle.connected(actor.userId, this.id);
      const user = await accounts.current(actor.userId);
      if (this.isClosed()) return;
      if (!user) {
        this.close(CloseCodes.UNAUTHENTICATED, 'account gone');
        return;
      }
      this.state = 'ready';
      this.lastSessionCheck = this.d.clock.now();
      this.usedSinceCheck = false;
      this.send({
        type: 'ready',
        user: { id: user.id, username: user.username, nickname: user.nickname },
        serverTime: this.d.clock.now(),
        sessionId: actor.sessionId,
      });
      for (const u of online) this.send({ type: 'presence', userId: u, online: true });
      const early = this.early;
      this.early = [];
      for (const f of early) this.enqueue(f);
    } catch (err) {
      this.d.log.warn({ err }, 'connection start failed');
      this.close(CloseCodes.TRY_AGAIN_LATER, 'try again later');
    }
  }

  private isClosed() {
    return this.state === 'closed';
  }

  private onMessage(data: Buffer, isBinary: boolean) {
    this.lastSeen = this.d.clock.now();
    if (this.isClosed()) return;
    if (!this.budget.take(this.lastSeen)) {
      // Refused before decoding: a flood costs a bucket check per frame. One error frame per run
      // of refusals (not one each, which would double the flood back); a run as long as the
      // burst is a client that does not slow down.
      if (this.budget.refusedInRow === 1)
        this.send(errorFrame(toWireError(fail('RATE_LIMITED', 'Too many frames; slow down', { retryAfterMs: 1000 }))));
      else if (this.budget.refusedInRow >= this.d.config.frameBurst)
        this.close(CloseCodes.POLICY_VIOLATION, 'frame rate exceeded');
      return;
    }
    this.usedSinceCheck = true;
    let value: unknown;
    try {
      value = this.codecImpl.decode(
        isBinary ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : data.toString('utf8'),
      );
    } catch (err) {
      // A coded refusal (too deep, an extension) says why; anything else is malformed input.
      if (isAppError(err) || err instanceof FrameError) this.bad(err.code, err.message);
      else
        this.bad(
          this.codecImpl.name === 'json' ? 'INVALID_JSON' : 'INVALID_FRAME',
          `The frame does not decode as ${this.codecImpl.subprotocol}`,
        );
      return;
    }
    const r = checkFrame(value);
    if (!r.ok) {
      this.bad(r.code, r.message, r.clientId);
      return;
    }
    this.badFrames = 0;
    const frame = r.frame;
    if (this.state === 'auth') {
      if (frame.type !== 'auth') {
        this.close(CloseCodes.UNAUTHENTICATED, 'authenticate first');
        return;
      }
      this.state = 'starting';
      this.d.accounts.authenticate(frame.token).then(
        (actor) => this.begin(actor),
        () => this.close(CloseCodes.UNAUTHENTICATED, 'invalid token'),
      );
      return;
    }
    if (this.state === 'starting') {
      if (this.early.length >= MAX_EARLY_FRAMES)
        this.close(CloseCodes.POLICY_VIOLATION, 'too many frames before ready');
      else this.early.push(frame);
      return;
    }
    this.enqueue(frame);
  }

  private bad(code: ErrorCode, message: string, clientId?: string) {
    this.send(errorFrame(toWireError(fail(code, message), this.d.metrics.refused.ws), clientId || undefined));
    if (++this.badFrames >= MAX_BAD_FRAMES) this.close(CloseCodes.POLICY_VIOLATION, 'too many invalid frames');
  }

  /** Runs frames one after another; a send releases the next frame once it is queued for commit. */
  private enqueue(frame: ClientFrame) {
    this.chain = this.chain.then(
      () =>
        new Promise<void>((admitted) => {
          this.dispatch(frame, admitted)
            .catch((err) => this.fail(err, 'clientId' in frame ? frame.clientId : undefined))
            .finally(admitted);
        }),
    );
  }

  private async dispatch(f: ClientFrame, admitted: () => void) {
    const { messaging } = this.d;
    switch (f.type) {
      case 'auth':
        this.send(errorFrame(toWireError(fail('BAD_REQUEST', 'Already authenticated'), this.d.metrics.refused.ws)));
        return;
      case 'ping':
        this.send({ type: 'pong', ts: this.d.clock.now(), ...(f.id !== undefined ? { id: f.id } : {}) });
        return;
      case 'send': {
        const { type: _t, ...input } = f;
        // The next frame is let in once this one is queued in the writer, not committed: a
        // device's messages keep their order and still share group commits.
        const started = performance.now();
        const ack = await messaging.send(this.userId, input, 'ws', admitted);
        this.send({ type: 'ack', ...ack });
        this.d.metrics.sendAck.observe({ transport: 'ws' }, (performance.now() - started) / 1000);
        return;
      }
      case 'recall':
        this.send({ type: 'ack', ...(await messaging.recall(this.userId, f)) });
        return;
      case 'edit':
        this.send({ type: 'ack', ...(await messaging.edit(this.userId, f)) });
        return;
      case 'react':
        this.send({ type: 'ack', ...(await messaging.marks.react(this.userId, f)) });
        return;
      case 'pin':
        this.send({ type: 'ack', ...(await messaging.marks.pin(this.userId, f)) });
        return;
      case 'read':
        await messaging.markRead(this.userId, f.conversation, f.seq);
        return;
      case 'received':
        await messaging.markDelivered(this.userId, f.conversation, f.seq);
        return;
      case 'typing':
        await messaging.typing(this.userId, f.conversation);
        return;
      case 'sync': {
        const { type: _t, ...req } = f;
        await messaging.sync(this.userId, req, (frame) => this.emitPaced(frame));
        return;
      }
    }
  }

  private fail(err: unknown, clientId?: string) {
    const w = toWireError(err, this.d.metrics.refused.ws);
    if (w.level !== 'debug') this.d.log[w.level]({ err }, 'frame handling failed');
    this.send(errorFrame(w, clientId || undefined));
  }

  /** Sync output waits (bounded) for the socket to drain instead of piling up a backlog. */
  private async emitPaced(frame: ServerFrame): Promise<boolean> {
    if (!(await this.writer.room())) return false;
    this.send(frame);
    return !this.isClosed();
  }

  ping() {
    if (this.ws.readyState === this.ws.OPEN) this.ws.ping();
  }

  /**
   * Called by the heartbeat: at most every {@link SESSION_CHECK_MS}, asks whether this socket's
   * session is still live, counting the frames sent since the last check as use of it (so an
   * active socket keeps its session alive for REST too). A revoked session closes the socket
   * with 4003 (the `sessions.revoked` notice usually came first), an expired one with 4001. A
   * store that cannot answer leaves the socket open until the next check.
   */
  checkSession(now: number) {
    if (this.state !== 'ready' || this.checkingSession || now - this.lastSessionCheck < SESSION_CHECK_MS) return;
    this.checkingSession = true;
    this.lastSessionCheck = now;
    const used = this.usedSinceCheck;
    this.usedSinceCheck = false;
    this.d.accounts
      .sessionInUse(this.sessionId, used)
      .then((state) => {
        if (state === 'revoked') this.close(CloseCodes.SESSION_REVOKED, 'session revoked');
        else if (state === 'expired') this.close(CloseCodes.UNAUTHENTICATED, 'session expired');
      })
      .catch((err) => {
        this.usedSinceCheck ||= used;
        this.d.log.debug({ err }, 'session check failed');
      })
      .finally(() => {
        this.checkingSession = false;
      });
  }

  terminate() {
    this.ws.terminate();
  }

  send(frame: ServerFrame) {
    this.writer.write(this.codecImpl.encode(frame));
  }

  write(data: string | Uint8Array) {
    this.writer.write(data);
  }

  writeFrame(frame: PreparedFrame) {
    this.writer.writeFrame(frame);
  }

  close(code: number, reason: string) {
    if (this.isClosed()) return;
    this.state = 'closed';
    try {
      this.ws.close(code, reason);
    } catch {
      this.ws.terminate();
    }
    // A peer that does not read never answers the close handshake: drop it after a while.
    const t = setTimeout(() => this.ws.terminate(), 5000);
    t.unref();
    void this.cleanup();
  }

  private cleanedUp = false;
  private async cleanup() {
    this.state = 'closed';
    if (this.cleanedUp) return;
    this.cleanedUp = true;
    this.cancelAuthTimer?.();
    this.releaseUnauth?.();
    this.d.metrics.connections.dec();
    if (!this.admitted) return;
    try {
      if (this.registered) await this.d.hub.remove(this);
      await this.d.lifecycle.closed(this.userId, this.id);
    } catch (err) {
      this.d.log.warn({ err }, 'connection cleanup failed');
    }
  }
}
