import { type Entry, type PublicUser, isMessageKind } from '@parley/client';
import { fail } from '../domain/errors.js';
import { checkEmoji } from '../domain/marks.js';
import type { EntryRow } from '../store/log.js';
import type { MarkEffect } from '../store/entry-marks.js';
import type { ConversationAccess, PostRight } from './conversation-access.js';
import type { ConversationViews, HistoryPage } from './conversation-views.js';
import type { ServiceDeps } from './deps.js';
import type { MessageWriter } from './message-writer.js';
import { checkClientId } from './message-input.js';
import { publicUser } from './users-view.js';

export interface MarkAck {
  clientId: string;
  conversation: string;
  seq: number;
  id: string;
  ts: number;
}

export interface ReactInput {
  clientId: string;
  conversation: string;
  seq: number;
  emoji: string;
  remove?: boolean;
}

export interface PinInput {
  clientId: string;
  conversation: string;
  seq: number;
  remove?: boolean;
}

/** One page of "who reacted", oldest first; `next` continues it. */
export interface ReactorsPage {
  items: { user: PublicUser; emoji: string; ts: number }[];
  next?: string;
}

export interface PinnedItem {
  seq: number;
  pinnedBy: string;
  pinnedAt: number;
  entry: Entry;
}

const ack = (r: EntryRow): MarkAck => ({
  clientId: r.client_id!,
  conversation: r.conversation_id,
  seq: Number(r.seq),
  id: r.id,
  ts: Number(r.created_at),
});

const encodeAfter = (r: { ts: number; userId: string; emoji: string }) =>
  Buffer.from(JSON.stringify([r.ts, r.userId, r.emoji])).toString('base64url');

function decodeAfter(raw: string): { ts: number; userId: string; emoji: string } {
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(v) &&
      v.length === 3 &&
      Number.isSafeInteger(v[0]) &&
      typeof v[1] === 'string' &&
      /^[0-9a-z]{1,40}$/.test(v[1]) &&
      typeof v[2] === 'string' &&
      v[2].length <= 32
    )
      return { ts: v[0], userId: v[1], emoji: v[2] };
  } catch {
    /* refused below */
  }
  throw fail('VALIDATION_FAILED', 'Malformed cursor');
}

/**
 * Reactions and pinned messages. Every change is an entry of the conversation log (`react`,
 * `unreact`, `pin`, `unpin`, with `target` = the message), committed through the group-commit
 * writer with the aggregate tables it changes, so catch-up covers it and the state cannot drift
 * from the log; the writer re-checks each change in its transaction (a second identical
 * reaction, or one past a bound, is refused there). Idempotent by clientId like sends.
 *
 * Rules: reacting needs the right to post (members of the group, not muted; one-to-one: friends,
 * no block either way) and a message the user may read; pinning also needs owner/admin in a
 * group (either person in a one-to-one chat).
 */
export class MarkService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly access: ConversationAccess,
    private readonly writer: MessageWriter,
    private readonly views: ConversationViews,
  ) {}

  react(userId: string, input: ReactInput): Promise<MarkAck> {
    const emoji = checkEmoji(input.emoji);
    return this.mark(userId, input, input.remove ? { type: 'unreact', emoji } : { type: 'react', emoji });
  }

  pin(userId: string, input: PinInput): Promise<MarkAck> {
    return this.mark(userId, input, input.remove ? { type: 'unpin' } : { type: 'pin' }, (right) => {
      if (right.ref.kind === 'group' && right.role !== 'owner' && right.role !== 'admin')
        throw fail('ROLE_REQUIRED', 'Only the owner and admins pin messages in a group');
    });
  }

  private async mark(
    userId: string,
    input: { clientId: string; conversation: string; seq: number },
    effect: MarkEffect,
    authorize?: (right: PostRight) => void,
  ): Promise<MarkAck> {
    const { store, clock, config, notify, limiter } = this.deps;
    const r = await limiter.take(`msg:${userId}`, config.messageRate, config.messageBurst);
    if (!r.ok) throw fail('RATE_LIMITED', 'Too many requests; slow down', { retryAfterMs: r.retryAfterMs });
    const clientId = checkClientId(input.clientId);
    const prior = await store.conversations.byClientId(userId, clientId);
    if (prior) {
      await notify.entries(prior.conversation_id, [prior]);
      return ack(prior);
    }
    const right = await this.access.canPost(userId, input.conversation, clock.now());
    authorize?.(right);
    const cid = right.ref.id;
    const view = await this.access.canRead(userId, cid);
    const target =
      Number.isSafeInteger(input.seq) && input.seq > Math.max(view.floor, view.minSeq - 1) && input.seq <= view.ceil
        ? await store.conversations.entry(cid, input.seq)
        : undefined;
    if (!target || !isMessageKind(target.kind) || target.recalled_at != null)
      throw fail('MESSAGE_NOT_FOUND', 'No such message');
    const out = await this.writer.append({
      conversationId: cid,
      conversationKind: right.ref.kind,
      senderId: userId,
      clientId,
      kind: effect.type,
      body: 'emoji' in effect ? { emoji: effect.emoji } : {},
      targetSeq: Number(target.seq),
      effect,
    });
    await notify.entries(out.row.conversation_id, [out.row]);
    return ack(out.row);
  }

  /** Adds each message's reactions (with the reader's own marked) and pinned flag to a history page. */
  async decorate(userId: string, cid: string, page: HistoryPage): Promise<HistoryPage> {
    const seqs = page.items.filter((e) => isMessageKind(e.kind) && !e.recalled).map((e) => e.seq);
    if (seqs.length === 0) return page;
    const { reactions, pinned } = await this.deps.store.marks.tallies(cid, seqs, userId);
    for (const e of page.items) {
      const t = reactions.get(e.seq);
      if (t) e.reactions = t.map((x) => ({ emoji: x.emoji, count: x.count, ...(x.me ? { me: true } : {}) }));
      if (pinned.has(e.seq)) e.pinned = true;
    }
    return page;
  }

  /** Who reacted to message `seq` (with one emoji, or any), oldest first. */
  async reactors(
    userId: string,
    cid: string,
    seq: number,
    q: { emoji?: string; after?: string; limit?: number },
  ): Promise<ReactorsPage> {
    const emoji = q.emoji === undefined ? undefined : checkEmoji(q.emoji);
    const after = q.after === undefined ? undefined : decodeAfter(q.after);
    const limit = Math.min(Math.max(q.limit ?? 50, 1), 100);
    const view = await this.access.canRead(userId, cid);
    const target =
      seq > Math.max(view.floor, view.minSeq - 1) && seq <= view.ceil
        ? await this.deps.store.conversations.entry(cid, seq)
        : undefined;
    if (!target || !isMessageKind(target.kind)) throw fail('MESSAGE_NOT_FOUND', 'No such message');
    const rows = await this.deps.store.marks.reactors(cid, seq, { emoji, after, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const users = new Map(
      (await this.deps.store.users.byIds([...new Set(page.map((r) => r.userId))])).map((u) => [u.id, publicUser(u)]),
    );
    const items = page.flatMap((r) => {
      const user = users.get(r.userId);
      return user ? [{ user, emoji: r.emoji, ts: r.ts }] : [];
    });
    return rows.length > limit ? { items, next: encodeAfter(page[page.length - 1]!) } : { items };
  }

  /** The conversation's pinned messages the user may read, latest pin first. */
  async pins(userId: string, cid: string): Promise<{ items: PinnedItem[] }> {
    const view = await this.access.canRead(userId, cid);
    const floor = Math.max(view.floor, view.minSeq - 1);
    const rows = await this.deps.store.marks.pins(cid, floor, view.ceil);
    const items: PinnedItem[] = [];
    for (const p of rows) {
      const row = await this.deps.store.conversations.entry(cid, p.seq);
      if (row && row.recalled_at == null) items.push({ ...p, entry: this.views.entry(row) });
    }
    return { items };
  }
}
