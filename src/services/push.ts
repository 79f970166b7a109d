import { createHash } from 'node:crypto';
import { isMessageKind } from '@parley/client';
import { readConversationId } from '../domain/conversation-id.js';
import { fail } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import type { EntryRow, UserEventRow } from '../store/log.js';
import type { PushSubscriptionListing, PushSubscriptionRow } from '../store/push-subscriptions.js';
import type { Actor } from './accounts.js';
import type { ServiceDeps } from './deps.js';
import type { NotifierWatcher } from './notifier.js';
import type { PushOptions, PushTransport } from './push-transport.js';
import { RecentIds } from '../domain/recent-ids.js';

/** What a browser's `PushSubscription.toJSON()` holds, plus this device's text preference. */
export interface SubscribeInput {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  hideText?: boolean;
}

/** A subscription as its owner sees it: never the endpoint itself (it is a delivery address). */
export interface PushSubscriptionView {
  id: string;
  /** The push service's host (e.g. `fcm.googleapis.com`), to tell devices apart. */
  service: string;
  device: string;
  hideText: boolean;
  /** Made by the session asking. */
  current: boolean;
  createdAt: number;
  lastSentAt: number | null;
}

/** The decrypted payload the service worker receives (docs/protocol.md, "Web Push"). */
export interface PushPayload {
  v: 1;
  kind: 'message' | 'request';
  /** The conversation to open; absent for requests (the app opens the contacts screen). */
  conversation?: string;
  title: string;
  body: string;
  /** Messages (or requests) this notification stands for. */
  count: number;
  /** Notifications with the same tag replace each other on the device. */
  tag: string;
  ts: number;
}

/** Pending collections at once (conversations with unsent pushes, users with unsent requests). */
const MAX_BUCKETS = 10_000;
/** Entries one collection remembers; more are counted only by sender. */
const MAX_ITEMS = 200;
/** Push requests in flight at once, and waiting for a slot. */
const MAX_INFLIGHT = 8;
const MAX_WAITING = 5_000;
/** Entry ids already handled (a resent message is published again; it must not push again). */
const SEEN_IDS = 10_000;
const PREVIEW_CHARS = 120;
/** A message notification is worth little after half a day; a request a little longer. */
const MESSAGE_TTL_S = 12 * 3600;
const REQUEST_TTL_S = 24 * 3600;

const KIND_LABEL: Record<string, string> = {
  image: 'Photo',
  voice: 'Voice message',
  video: 'Video',
  file: 'File',
  sticker: 'Sticker',
  link: 'Link',
  contact: 'Contact card',
  custom: 'Message',
};

interface Item {
  sender: string | null;
  kind: string;
  /** The entry's stored body, read only if this item is shown (most never are: their readers are online). */
  body: string;
  mentions?: readonly string[];
}

/** The text of an item's body, for the preview. */
function textOf(i: Item): string | undefined {
  try {
    const t = (JSON.parse(i.body) as { text?: unknown }).text;
    return typeof t === 'string' ? t : undefined;
  } catch {
    return undefined;
  }
}

/** An entry's mentions; the body is parsed only when it has any (perf: this runs for every message). */
function mentionsOf(body: string): string[] | undefined {
  if (!body.includes('"mentions"')) return undefined;
  try {
    const m = (JSON.parse(body) as { mentions?: unknown }).mentions;
    return Array.isArray(m) && m.length ? m.filter((x): x is string => typeof x === 'string') : undefined;
  } catch {
    return undefined;
  }
}

interface ConversationBucket {
  items: Item[];
  /** Entries by sender, including those beyond MAX_ITEMS. */
  bySender: Map<string | null, number>;
}

interface RequestBucket {
  userId: string;
  /** The requests, newest last, with what to say about each. */
  items: { type: 'contact' | 'group'; id: string; title: string; body: string }[];
}

/** The fields of `contact.request` and `group.request` event payloads that a push uses. */
interface RequestEventPayload {
  request?: {
    id?: unknown;
    to?: { id?: string };
    from?: { nickname?: string };
    user?: { id?: string; nickname?: string };
  };
  group?: { name?: string };
}

const b64url = /^[A-Za-z0-9_-]+={0,2}$/;

function decodedLength(s: string): number {
  return Buffer.from(s.replace(/=+$/, ''), 'base64url').length;
}

/** Endpoint hosts that are this machine or its network: never a push service. */
function privateHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1' || h === '::' || h.startsWith('fe80:')) return true;
  // IPv4-mapped IPv6 (`[::ffff:127.0.0.1]`, which URL writes as `[::ffff:7f00:1]`) is an IPv4 host.
  if (h.startsWith('::ffff:')) return true;
  if (/^f[cd][0-9a-f]{2}:/.test(h)) return true;
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(h);
  if (!v4) return false;
  const [a, b] = [Number(v4[1]), Number(v4[2])];
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b < 32) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b < 128)
  );
}

/**
 * Web Push: device subscriptions, and notifications for people with no live connection.
 *
 * It watches the notifier (every committed message and user event passes there) and only
 * queues: nothing on the message path waits for a push. Messages of one conversation are
 * collected for `pushDelay`, then each member with no socket on any node, who did not mute the
 * conversation and does not block the sender, gets one push per device saying how many
 * arrived; the `Topic` header (one per conversation) lets the push service replace a push
 * still undelivered. Presence is read again when the window closes, so a user who came back
 * in the meantime gets nothing. A subscription the push service calls gone (404/410) is
 * deleted. Queues are bounded: past the bounds a push is dropped (and logged), never waited
 * for. The queues live on the node that committed the message; a node that stops loses the
 * pushes of its open windows (the messages themselves are in the log).
 */
export class PushService implements NotifierWatcher {
  private readonly conversations = new Map<string, ConversationBucket>();
  private readonly requests = new Map<string, RequestBucket>();
  private readonly timers = new Map<string, () => void>();
  private readonly seen = new RecentIds(SEEN_IDS);
  /** Per conversation: how far its window has grown, and when it last closed. */
  private readonly streaks = new Map<string, { level: number; at: number }>();
  private inflight = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly running = new Set<Promise<void>>();
  private closed = false;
  dropped = 0;
  sent = 0;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly transport: PushTransport,
    /** The VAPID public key browsers subscribe with (base64url). */
    readonly publicKey: string,
  ) {}

  // --- subscriptions -------------------------------------------------------------------

  async subscribe(actor: Actor, input: SubscribeInput): Promise<PushSubscriptionView> {
    const { config, clock, store } = this.deps;
    const endpoint = this.checkEndpoint(input.endpoint);
    const { p256dh, auth } = input.keys;
    if (!b64url.test(p256dh) || p256dh.length > 128 || decodedLength(p256dh) !== 65)
      throw fail('VALIDATION_FAILED', 'keys.p256dh must be a base64url P-256 public key (65 bytes)');
    if (Buffer.from(p256dh, 'base64url')[0] !== 4)
      throw fail('VALIDATION_FAILED', 'keys.p256dh must be an uncompressed P-256 point');
    if (!b64url.test(auth) || auth.length > 64 || decodedLength(auth) !== 16)
      throw fail('VALIDATION_FAILED', 'keys.auth must be a base64url 16-byte secret');
    const now = clock.now();
    await store.pushSubscriptions.pruneEnded(actor.userId, now);
    const row: PushSubscriptionRow = {
      id: newId(),
      user_id: actor.userId,
      session_id: actor.sessionId,
      endpoint,
      endpoint_hash: createHash('sha256').update(endpoint).digest('hex'),
      p256dh,
      auth,
      hide_text: input.hideText ? 1 : 0,
      created_at: now,
      last_sent_at: null,
    };
    await store.pushSubscriptions.save(row, config.pushMaxDevices, now);
    const listed = (await store.pushSubscriptions.listLive(actor.userId, now)).find((s) => s.id === row.id);
    if (!listed) throw fail('UNAUTHENTICATED', 'The session ended');
    return this.view(listed, actor);
  }

  async list(actor: Actor): Promise<PushSubscriptionView[]> {
    const now = this.deps.clock.now();
    await this.deps.store.pushSubscriptions.pruneEnded(actor.userId, now);
    const rows = await this.deps.store.pushSubscriptions.listLive(actor.userId, now);
    return rows.map((r) => this.view(r, actor));
  }

  async remove(actor: Actor, id: string): Promise<void> {
    if (!(await this.deps.store.pushSubscriptions.remove(actor.userId, id)))
      throw fail('NOT_FOUND', 'No such push subscription');
  }

  private view(r: PushSubscriptionListing, actor: Actor): PushSubscriptionView {
    return {
      id: r.id,
      service: new URL(r.endpoint).host,
      device: r.device,
      hideText: r.hide_text === 1,
      current: r.session_id === actor.sessionId,
      createdAt: r.created_at,
      lastSentAt: r.last_sent_at,
    };
  }

  private checkEndpoint(raw: string): string {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw fail('VALIDATION_FAILED', 'endpoint must be a URL');
    }
    if (url.username || url.password) throw fail('VALIDATION_FAILED', 'endpoint must not carry credentials');
    const loopbackHttp =
      this.deps.config.pushAllowLoopbackHttp && url.protocol === 'http:' && url.hostname === '127.0.0.1';
    if (!loopbackHttp) {
      if (url.protocol !== 'https:') throw fail('VALIDATION_FAILED', 'endpoint must be an https URL');
      // The server POSTs to whatever a user registers: never to this machine or its network.
      if (privateHost(url.hostname)) throw fail('VALIDATION_FAILED', 'endpoint must be a public push service');
    }
    // Normalising can lengthen a URL (percent-encoding); the column holds 2,048 characters.
    if (url.href.length > 2048) throw fail('VALIDATION_FAILED', 'endpoint must be at most 2048 characters');
    return url.href;
  }

  // --- what to push --------------------------------------------------------------------

  entries(conversationId: string, rows: readonly EntryRow[]): void {
    if (this.closed) return;
    for (const row of rows) {
      if (!isMessageKind(row.kind) || row.recalled_at != null || this.seen.has(row.id)) continue;
      this.seen.add(row.id);
      const raw = typeof row.body === 'string' ? row.body : JSON.stringify(row.body ?? {});
      let bucket = this.conversations.get(conversationId);
      if (!bucket) {
        if (!this.room()) return;
        bucket = { items: [], bySender: new Map() };
        this.conversations.set(conversationId, bucket);
        this.later(`c:${conversationId}`, () => this.flushConversation(conversationId), this.windowFor(conversationId));
      }
      bucket.bySender.set(row.sender_id, (bucket.bySender.get(row.sender_id) ?? 0) + 1);
      const mentions = mentionsOf(raw);
      if (bucket.items.length < MAX_ITEMS || mentions) {
        bucket.items.push({ sender: row.sender_id, kind: row.kind, body: raw, mentions });
        if (bucket.items.length > MAX_ITEMS * 2) bucket.items.splice(0, bucket.items.length - MAX_ITEMS);
      }
    }
  }

  userEvents(rows: readonly UserEventRow[]): void {
    if (this.closed) return;
    for (const row of rows) {
      if (row.kind !== 'contact.request' && row.kind !== 'group.request') continue;
      let payload: RequestEventPayload | undefined;
      try {
        payload = JSON.parse(row.payload);
      } catch {
        continue;
      }
      const req = payload?.request;
      if (!req || typeof req.id !== 'string') continue;
      const id = req.id;
      let item: RequestBucket['items'][number] | undefined;
      if (row.kind === 'contact.request' && req.to?.id === row.user_id) {
        const who = req.from?.nickname ?? 'Someone';
        item = { type: 'contact', id, title: 'Friend request', body: `${who} wants to add you as a friend` };
      } else if (row.kind === 'group.request' && req.user?.id !== row.user_id) {
        const who = req.user?.nickname ?? 'Someone';
        const where = payload?.group?.name ?? 'your group';
        item = { type: 'group', id, title: 'Join request', body: `${who} asks to join ${where}` };
      }
      if (!item) continue;
      const key = `r:${row.user_id}`;
      const bucket = this.requests.get(key);
      if (bucket) {
        if (bucket.items.length < MAX_ITEMS) bucket.items.push(item);
      } else {
        if (!this.room()) return;
        this.requests.set(key, { userId: row.user_id, items: [item] });
        this.later(key, () => this.flushRequests(key));
      }
    }
  }

  private room(): boolean {
    if (this.conversations.size + this.requests.size < MAX_BUCKETS) return true;
    this.drop('too many pending notification windows');
    return false;
  }

  private drop(why: string) {
    this.dropped++;
    // One line per hundred drops: a flood must not become a flood of logs.
    if (this.dropped % 100 === 1) this.deps.log.warn({ dropped: this.dropped }, `push dropped: ${why}`);
  }

  /**
   * A conversation that keeps busy gets longer windows: each window that opens soon after the
   * previous one closed is twice as long, up to 16 × `pushDelay`; a quiet spell resets it. So a
   * group chatting for minutes sends a handful of notifications, not one per `pushDelay`.
   */
  private windowFor(cid: string): number {
    const base = this.deps.config.pushDelay;
    const now = this.deps.clock.now();
    const prev = this.streaks.get(cid);
    const level = prev && now - prev.at < base * 2 ** prev.level * 2 ? Math.min(prev.level + 1, 4) : 0;
    this.streaks.set(cid, { level, at: Number.POSITIVE_INFINITY });
    if (this.streaks.size > MAX_BUCKETS) {
      for (const [k, v] of this.streaks) if (now - v.at > base * 32) this.streaks.delete(k);
    }
    return base * 2 ** level;
  }

  private later(key: string, fn: () => Promise<void>, ms = this.deps.config.pushDelay) {
    const cancel = this.deps.clock.setTimeout(() => {
      this.timers.delete(key);
      this.track(fn());
    }, ms);
    this.timers.set(key, cancel);
  }

  private track(p: Promise<void>) {
    const done = p.catch((err) => this.deps.log.warn({ err }, 'push failed')).finally(() => this.running.delete(done));
    this.running.add(done);
  }

  private async offline(userIds: readonly string[]): Promise<string[]> {
    if (!userIds.length) return [];
    const online = await this.deps.presence.online(userIds);
    return userIds.filter((u) => !online.has(u));
  }

  private async flushConversation(cid: string) {
    const bucket = this.conversations.get(cid);
    this.conversations.delete(cid);
    const streak = this.streaks.get(cid);
    if (streak) streak.at = this.deps.clock.now();
    if (!bucket) return;
    const { store } = this.deps;
    const senders = [...bucket.bySender.keys()];
    // One query per window for every sender; who sent what is filtered per recipient below.
    const users = await this.offline(await store.pushSubscriptions.recipients(cid, null));
    if (!users.length) return;
    const ref = readConversationId(cid);
    const group = ref?.kind === 'group' ? await store.groups.byId(ref.groupId) : undefined;
    const names = new Map(
      (await store.users.byIds(senders.filter((s): s is string => s != null))).map((u) => [u.id, u.nickname]),
    );
    for (const userId of users) {
      const blocked = new Set(await store.authz.blocked(userId));
      const counts = (s: string | null) => s !== userId && !(s && blocked.has(s));
      let count = 0;
      for (const [s, n] of bucket.bySender) if (counts(s)) count += n;
      const items = bucket.items.filter((i) => counts(i.sender));
      const last = items[items.length - 1];
      if (!count || !last) continue;
      const mention = items.find((i) => i.mentions?.includes(userId));
      const shown = mention ?? last;
      const who = names.get(shown.sender ?? '') ?? 'Someone';
      const where = group?.name ?? who;
      const preview = (i: Item) => {
        const text = textOf(i);
        if (text === undefined || text === '') return KIND_LABEL[i.kind] ?? 'Message';
        return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 1)}…` : text;
      };
      let body: string;
      if (count > 1) body = `${count} new messages in ${where}`;
      else if (mention) body = `${who} mentioned you: ${preview(shown)}`;
      else body = group ? `${who}: ${preview(shown)}` : preview(shown);
      const payload = (hidden: boolean): PushPayload => ({
        v: 1,
        kind: 'message',
        conversation: cid,
        title: hidden ? 'Parley' : where,
        body: hidden ? (count > 1 ? `${count} new messages` : 'New message') : body,
        count,
        tag: cid,
        ts: this.deps.clock.now(),
      });
      await this.deliver(userId, payload, {
        ttlSeconds: MESSAGE_TTL_S,
        urgency: ref?.kind === 'dm' || mention ? 'high' : 'normal',
        topic: topicOf(cid),
      });
    }
  }

  private async flushRequests(key: string) {
    const bucket = this.requests.get(key);
    this.requests.delete(key);
    if (!bucket) return;
    if (!(await this.offline([bucket.userId])).length) return;
    // A request answered (or withdrawn) within the window is not worth a notification.
    const pending: RequestBucket['items'] = [];
    for (const i of bucket.items) {
      const r =
        i.type === 'contact'
          ? await this.deps.store.contacts.requestById(i.id)
          : await this.deps.store.groups.requestById(i.id);
      if (r?.status === 'pending') pending.push(i);
    }
    const last = pending[pending.length - 1];
    if (!last) return;
    const count = pending.length;
    const payload = (hidden: boolean): PushPayload => ({
      v: 1,
      kind: 'request',
      title: hidden ? 'Parley' : last.title,
      body: hidden ? 'New request' : count > 1 ? `${count} new requests` : last.body,
      count,
      tag: 'requests',
      ts: this.deps.clock.now(),
    });
    await this.deliver(bucket.userId, payload, { ttlSeconds: REQUEST_TTL_S, urgency: 'normal', topic: 'requests' });
  }

  private async deliver(userId: string, payload: (hidden: boolean) => PushPayload, opts: PushOptions) {
    const { store, clock } = this.deps;
    const now = clock.now();
    await store.pushSubscriptions.pruneEnded(userId, now);
    const subs = await store.pushSubscriptions.targets([userId], now);
    const ok: string[] = [];
    await Promise.all(
      subs.map(async (s) => {
        if (!(await this.slot())) return this.drop('too many pushes waiting');
        try {
          const res = await this.transport.send(s, JSON.stringify(payload(s.hide_text === 1)), opts);
          if (res.status === 404 || res.status === 410) {
            await store.pushSubscriptions.removeGone(s.id);
            this.deps.log.info({ userId, subscription: s.id }, 'push subscription gone; deleted');
          } else if (res.status >= 200 && res.status < 300) {
            this.sent++;
            ok.push(s.id);
          } else {
            this.deps.log.warn({ userId, status: res.status, service: new URL(s.endpoint).host }, 'push refused');
          }
        } catch (err) {
          this.deps.log.warn({ err: (err as Error).message, service: new URL(s.endpoint).host }, 'push failed');
        } finally {
          this.release();
        }
      }),
    );
    await store.pushSubscriptions.markSent(ok, now);
  }

  private async slot(): Promise<boolean> {
    if (this.inflight < MAX_INFLIGHT) {
      this.inflight++;
      return true;
    }
    if (this.waiting.length >= MAX_WAITING) return false;
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return true;
  }

  private release() {
    const next = this.waiting.shift();
    if (next) next();
    else this.inflight--;
  }

  /** Sends what is pending now (instead of at the end of its window). */
  async flush(): Promise<void> {
    for (const [key, cancel] of [...this.timers]) {
      cancel();
      this.timers.delete(key);
      this.track(key.startsWith('c:') ? this.flushConversation(key.slice(2)) : this.flushRequests(key));
    }
    while (this.running.size) await Promise.all([...this.running]);
  }

  /** Stops taking work and sends what is pending (at shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }
}

/** The `Topic` header for a conversation: at most 32 URL-safe characters, the same on every node. */
export function topicOf(conversationId: string): string {
  return createHash('sha256').update(conversationId).digest('base64url').slice(0, 32);
}
