import { dmPeer } from '../domain/conversation-id.js';
import { fail } from '../domain/errors.js';
import {
  isMessageKind,
  type ConversationSummary,
  type Entry,
  type MessageKind,
  type ServerFrame,
} from '@parley/client';
import type { EntryRow } from '../store/log.js';
import { AuthzCache } from './authz-cache.js';
import { AuthzInvalidations } from './authz-invalidations.js';
import { ConversationAccess } from './conversation-access.js';
import { type HistoryPage, type HistoryQuery, ConversationViews, impliedMembership } from './conversation-views.js';
import type { ServiceDeps } from './deps.js';
import type { MediaSigner } from './entries-view.js';
import { LiveSignals } from './live-signals.js';
import { MarkService } from './marks.js';
import { MessageWriter, type WriterMetrics } from './message-writer.js';
import { MEDIA_FOR, type MediaResolver, type SendInput, checkClientId, checkData, checkText } from './message-input.js';
import { checkCaption } from './message-input.js';
import { type ForwardResult, type ForwardTarget, Forwarder } from './forwarding.js';
import { ReceiptService } from './receipts.js';
import { type SyncRequest, runSync } from './sync.js';
import { throttle } from './throttle.js';

export type { HistoryPage, HistoryQuery } from './conversation-views.js';
export type { MediaResolver, SendInput } from './message-input.js';
export type { SyncRequest } from './sync.js';

/** What the sender gets back once its entry is committed (identical for a resend). */
export interface Ack {
  clientId: string;
  conversation: string;
  seq: number;
  id: string;
  ts: number;
}

export interface MessagingOptions {
  metrics?: WriterMetrics & { messagesIn: { inc(labels: { transport: string }, n?: number): void } };
  /** Media for media kinds; without it every media kind answers MEDIA_NOT_FOUND. */
  media?: MediaResolver;
  /** Signs media URLs in history, summaries and sync (the notifier's signer). */
  sign?: MediaSigner;
  /** Told the conversations of every committed batch (the search indexer). */
  committed?: (conversationIds: Set<string>) => void;
}

/** Per-user budgets for the non-message calls that still cost database work. */
const SYNC_RATE = 5;
const SYNC_BURST = 30;
/** Upper bound of one `sync.done` page (see runSync), whatever the slow-consumer limit. */
const SYNC_PAGE_BYTES = 256 * 1024;
const rowAck = (r: EntryRow): Ack => ({
  clientId: r.client_id!,
  conversation: r.conversation_id,
  seq: Number(r.seq),
  id: r.id,
  ts: Number(r.created_at),
});

/**
 * Messaging: the one code path behind socket frames and REST routes. Every change to a
 * conversation is an entry committed through the group-commit writer; the caller gets its ack
 * after commit, then the entry is published to every device of every member (the sender's
 * devices included, the sending connection too).
 */
export class MessagingService {
  readonly writer: MessageWriter;
  private readonly cache: AuthzCache;
  private readonly invalidations: AuthzInvalidations;
  private readonly access: ConversationAccess;
  private readonly views: ConversationViews;
  private readonly live: LiveSignals;
  private readonly media?: MediaResolver;
  /** Delivery positions and "seen by" (see {@link ReceiptService}). */
  readonly receipts: ReceiptService;
  private readonly forwarder: Forwarder;
  /** Reactions and pinned messages (entries through the same writer). */
  readonly marks: MarkService;
  private stopSweep?: () => void;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly opts: MessagingOptions = {},
  ) {
    const { store, config, clock, log, bus } = deps;
    this.cache = new AuthzCache(store.authz);
    this.invalidations = new AuthzInvalidations(bus, this.cache);
    this.access = new ConversationAccess(this.cache, store.conversations);
    this.views = new ConversationViews(store.conversations, opts.sign);
    this.writer = new MessageWriter(
      store.entryLog,
      clock,
      { commitWindow: config.commitWindow, commitBatch: config.commitBatch, committed: opts.committed },
      log,
      opts.metrics,
    );
    this.live = new LiveSignals(deps, this.access);
    this.receipts = new ReceiptService(deps, this.access);
    this.forwarder = new Forwarder({
      deps,
      access: this.access,
      writer: this.writer,
      rateLimit: (u) => this.rateLimit(u),
      counted: () => opts.metrics?.messagesIn.inc({ transport: 'rest' }),
    });
    this.media = opts.media;
    this.marks = new MarkService(deps, this.access, this.writer, this.views);
  }

  /**
   * Keeps the authorization cache in step with the cluster (every role needs that: REST sends
   * read it too), and starts the retention sweep when retention is configured.
   */
  async start() {
    await this.invalidations.start();
    const { retention } = this.deps.config;
    if (retention > 0 && !this.stopSweep) {
      const every = Math.min(3_600_000, Math.max(1000, Math.floor(retention / 10)));
      this.stopSweep = this.deps.clock.setInterval(() => {
        this.sweepRetention().catch((err) => this.deps.log.warn({ err }, 'retention sweep failed'));
      }, every);
    }
  }

  /** Flushes the writer and stops timers. */
  async close() {
    this.stopSweep?.();
    await this.writer.close();
    await this.receipts.close();
    await this.invalidations.stop();
  }

  async sweepRetention(): Promise<number> {
    const { retention } = this.deps.config;
    if (retention <= 0) return 0;
    return this.deps.store.entryLog.sweep(this.deps.clock.now() - retention);
  }

  private async rateLimit(
    userId: string,
    bucket = 'msg',
    rate = this.deps.config.messageRate,
    burst = this.deps.config.messageBurst,
  ) {
    const r = await this.deps.limiter.take(`${bucket}:${userId}`, rate, burst);
    if (!r.ok) throw fail('RATE_LIMITED', 'Too many requests; slow down', { retryAfterMs: r.retryAfterMs });
  }

  /**
   * Read positions and flags are writes (and a read tells the peer): one per-user bucket for
   * both, over REST and sockets alike.
   */
  private conversationWrite(userId: string) {
    const { limiter, config } = this.deps;
    return throttle(
      limiter,
      `convwrite:${userId}`,
      config.conversationWriteRate,
      'Too many conversation updates; slow down',
    );
  }

  /**
   * Sends a message. Resolves with the ack after commit; a resend of the same clientId resolves
   * with the original ack and stores nothing. `onQueued` is called once the message is queued in
   * the writer (callers that need per-device ordering admit the next send then).
   */
  async send(userId: string, input: SendInput, transport: 'ws' | 'rest' = 'ws', onQueued?: () => void): Promise<Ack> {
    await this.rateLimit(userId);
    const { config, clock } = this.deps;
    const clientId = checkClientId(input.clientId);
    if (!isMessageKind(input.kind))
      throw fail('VALIDATION_FAILED', `Unknown message kind ${String(input.kind).slice(0, 20)}`);
    const kind = input.kind as MessageKind;
    const text = checkText(input.text, config.textLimit, kind === 'text');
    const data = checkData(kind, input.data);
    const caption = checkCaption(kind, input.caption);
    const right = await this.access.canPost(userId, input.to, clock.now());
    const cid = right.ref.id;

    const body: Partial<Entry> = {};
    if (text !== undefined) body.text = text;
    if (data) body.data = data;
    if (caption !== undefined) body.caption = caption;
    const accepts = MEDIA_FOR[kind];
    if (accepts) {
      if (typeof input.media !== 'string') throw fail('VALIDATION_FAILED', `a ${kind} message needs a media id`);
      if (!this.media) throw fail('MEDIA_NOT_FOUND', 'No such media');
      const ref = await this.media.resolve(userId, input.media);
      if (!accepts.includes(ref.kind))
        throw fail('VALIDATION_FAILED', `a ${kind} message cannot carry ${ref.kind} media`);
      const { url: _u, thumbUrl: _t, ...stored } = ref;
      body.media = stored;
    } else if (input.media !== undefined) {
      throw fail('VALIDATION_FAILED', `a ${kind} message takes no media`);
    }
    if (input.mentions !== undefined) {
      if (right.ref.kind !== 'group') throw fail('VALIDATION_FAILED', 'mentions are for group messages');
      const ids = [...new Set(input.mentions)];
      if (ids.length > 50) throw fail('VALIDATION_FAILED', 'at most 50 mentions');
      for (const id of ids) {
        if (!(await this.cache.membership(right.ref.groupId, id)))
          throw fail('VALIDATION_FAILED', 'mentions must name members of the group');
      }
      body.mentions = ids;
    }
    if (input.replyTo !== undefined) {
      if (!Number.isSafeInteger(input.replyTo) || input.replyTo < 1)
        throw fail('VALIDATION_FAILED', 'replyTo must be a seq');
      const view = await this.access.canRead(userId, cid);
      if (
        input.replyTo <= view.floor ||
        input.replyTo > view.ceil ||
        !(await this.deps.store.conversations.entry(cid, input.replyTo))
      ) {
        throw fail('MESSAGE_NOT_FOUND', 'replyTo names no message of this conversation');
      }
      body.replyTo = input.replyTo;
    }

    const pending = this.writer.append({
      conversationId: cid,
      conversationKind: right.ref.kind,
      members: right.ref.kind === 'dm' ? right.ref.users : undefined,
      senderId: userId,
      clientId,
      kind,
      body,
      mediaIds: body.media ? [body.media.id] : undefined,
    });
    onQueued?.();
    const out = await pending;
    if (!out.duplicate) this.opts.metrics?.messagesIn.inc({ transport });
    // A duplicate is published again: if the first attempt's node died before publishing,
    // this is how online devices learn of it without waiting for their next sync.
    await this.deps.notify.entries(out.row.conversation_id, [out.row]);
    return rowAck(out.row);
  }

  async recall(userId: string, input: { clientId: string; conversation: string; seq: number }): Promise<Ack> {
    return this.amend(userId, input, 'recall');
  }

  async edit(
    userId: string,
    input: { clientId: string; conversation: string; seq: number; text: string },
  ): Promise<Ack> {
    return this.amend(userId, input, 'edit', checkText(input.text, this.deps.config.textLimit, true));
  }

  private async amend(
    userId: string,
    input: { clientId: string; conversation: string; seq: number },
    kind: 'recall' | 'edit',
    text?: string,
  ): Promise<Ack> {
    await this.rateLimit(userId);
    const { store, clock, config, notify } = this.deps;
    const clientId = checkClientId(input.clientId);
    const prior = await store.conversations.byClientId(userId, clientId);
    if (prior) {
      await notify.entries(prior.conversation_id, [prior]);
      return rowAck(prior);
    }
    const now = clock.now();
    const right = await this.access.canPost(userId, input.conversation, now);
    const cid = right.ref.id;
    const view = await this.access.canRead(userId, cid);
    const target =
      Number.isSafeInteger(input.seq) && input.seq > view.floor && input.seq <= view.ceil
        ? await store.conversations.entry(cid, input.seq)
        : undefined;
    if (!target || !isMessageKind(target.kind)) throw fail('MESSAGE_NOT_FOUND', 'No such message');
    if (target.recalled_at != null) throw fail('CONFLICT', 'The message was already recalled');
    const own = target.sender_id === userId;
    const inWindow = now - Number(target.created_at) <= config.recallWindow;
    const admin = kind === 'recall' && (right.role === 'admin' || right.role === 'owner');
    if (!admin) {
      if (!own) throw fail('FORBIDDEN', `Only the sender may ${kind} this message`);
      if (!inWindow) throw fail('RECALL_WINDOW_PASSED', `The time to ${kind} this message has passed`);
    }
    if (kind === 'edit' && target.kind !== 'text') throw fail('VALIDATION_FAILED', 'Only text messages can be edited');
    const out = await this.writer.append({
      conversationId: cid,
      conversationKind: right.ref.kind,
      senderId: userId,
      clientId,
      kind,
      body: kind === 'edit' ? { text } : {},
      targetSeq: target.seq,
      // The writer re-checks the target in its transaction: a racing recall or edit is CONFLICT.
      effect:
        kind === 'edit'
          ? { type: 'edit', text: text!, seenEditedAt: target.edited_at == null ? null : Number(target.edited_at) }
          : { type: 'recall' },
    });
    await notify.entries(out.row.conversation_id, [out.row]);
    return rowAck(out.row);
  }

  /** Moves the read position forward (never back); DMs tell the other side with a receipt. */
  async markRead(userId: string, cid: string, seq: number): Promise<{ conversation: string; readSeq: number }> {
    if (!Number.isSafeInteger(seq) || seq < 0) throw fail('VALIDATION_FAILED', 'seq must be a non-negative integer');
    await this.conversationWrite(userId);
    const view = await this.access.canRead(userId, cid);
    const readSeq = await this.deps.store.conversations.markRead(
      cid,
      userId,
      Math.min(seq, view.ceil),
      this.deps.clock.now(),
    );
    const frame: ServerFrame = { type: 'receipt', conversation: cid, userId, seq: readSeq };
    const peer = dmPeer(view.ref, userId);
    // A block means silence both ways: the peer learns nothing of this user's reading.
    const tellPeer = peer !== undefined && !(await this.access.blockedPair(userId, peer));
    await this.deps.notify.toUsers(tellPeer ? [peer, userId] : [userId], frame);
    return { conversation: cid, readSeq };
  }

  /** What the user may read of a conversation: the rules history applies (search reads them too). */
  readView(userId: string, cid: string) {
    return this.access.canRead(userId, cid);
  }

  /** Forwards message `seq` of `cid` to each target (see {@link Forwarder}); one result per target, in order. */
  forward(userId: string, cid: string, seq: number, targets: readonly ForwardTarget[]): Promise<ForwardResult[]> {
    return this.forwarder.forward(userId, cid, seq, targets);
  }

  /** "My devices received up to seq" (the `received` frame): see {@link ReceiptService.markDelivered}. */
  markDelivered(userId: string, cid: string, seq: number) {
    return this.receipts.markDelivered(userId, cid, seq);
  }

  async history(userId: string, cid: string, q: HistoryQuery): Promise<HistoryPage> {
    return this.marks.decorate(userId, cid, await this.views.history(cid, await this.access.canRead(userId, cid), q));
  }

  /** The user's conversations (DMs and current groups), pinned first, then latest first. */
  async conversations(userId: string): Promise<ConversationSummary[]> {
    const ms = await this.deps.store.conversations.memberships(userId);
    const list = await Promise.all(
      ms.filter((m) => m.kind === 'dm' || m.leftSeq == null).map((m) => this.views.summary(userId, m)),
    );
    return list.sort(
      (a, b) =>
        Number(b.pinned) - Number(a.pinned) ||
        (b.lastMessage?.ts ?? 0) - (a.lastMessage?.ts ?? 0) ||
        (a.id < b.id ? -1 : 1),
    );
  }

  async conversation(userId: string, cid: string): Promise<ConversationSummary> {
    const view = await this.access.canRead(userId, cid);
    const m = (await this.deps.store.conversations.memberships(userId)).find((x) => x.conversationId === cid);
    return this.views.summary(userId, m ?? impliedMembership(cid, view, 0));
  }

  async updateConversation(
    userId: string,
    cid: string,
    flags: { muted?: boolean; pinned?: boolean },
  ): Promise<ConversationSummary> {
    await this.conversationWrite(userId);
    await this.access.canRead(userId, cid);
    await this.deps.store.conversations.setFlags(cid, userId, flags, this.deps.clock.now());
    return this.conversation(userId, cid);
  }

  /** Catch-up: see {@link runSync}. `emit` returns false once the connection is gone. */
  async sync(
    userId: string,
    req: SyncRequest,
    emit: (frame: ServerFrame) => boolean | Promise<boolean>,
  ): Promise<void> {
    // A catch-up reads a lot; a client has no reason to ask many per second.
    await this.rateLimit(userId, 'sync', SYNC_RATE, SYNC_BURST);
    // A page of sync.done is a quarter of the slow-consumer limit at most: the socket waits for
    // half the limit to drain before each frame of a catch-up, so no page can trip it.
    const pageBytes = Math.min(SYNC_PAGE_BYTES, Math.floor(this.deps.config.slowConsumerBytes / 4));
    return runSync(
      { repo: this.deps.store.conversations, access: this.access, views: this.views, pageBytes },
      userId,
      req,
      emit,
    );
  }

  /** Relays "typing" to the conversation's other members (throttled; see {@link LiveSignals.typing}). */
  typing(userId: string, cid: string): Promise<void> {
    return this.live.typing(userId, cid);
  }

  /** Groups whose topics the user's sockets subscribe. */
  groupIds(userId: string): Promise<string[]> {
    return this.deps.store.authz.groupIds(userId);
  }
}
