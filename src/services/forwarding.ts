import type { Entry, ForwardMark, MessageKind } from '@parley/client';
import { isAppError, fail } from '../domain/errors.js';
import type { EntryRow } from '../store/log.js';
import type { ConversationAccess } from './conversation-access.js';
import type { ServiceDeps } from './deps.js';
import type { MessageWriter } from './message-writer.js';
import { checkClientId } from './message-input.js';

/** Most targets of one forward request. */
export const FORWARD_TARGETS = 10;
/** The kinds a user may forward: content that stands on its own (not links, contacts, custom). */
export const FORWARDABLE: readonly MessageKind[] = ['text', 'image', 'voice', 'file', 'video', 'sticker'];

export interface ForwardTarget {
  to: string;
  clientId: string;
}

/** What one target answered: the ack of the committed copy, or why this target was refused. */
export type ForwardResult =
  | { to: string; ack: { clientId: string; conversation: string; seq: number; id: string; ts: number } }
  | { to: string; error: { code: string; message: string; temporary?: true } };

export interface ForwardingParts {
  deps: ServiceDeps;
  access: ConversationAccess;
  writer: MessageWriter;
  /** The send limiter: one token per target, the same bucket as sends. */
  rateLimit(userId: string): Promise<void>;
  /** Counts a committed copy like a send. */
  counted?(): void;
}

/**
 * Forwarding: copies of one readable message into other conversations, each an ordinary entry
 * committed through the group-commit writer. Rules (docs/protocol.md, "Forwarding"):
 * - the source must be a message the user can read now (MESSAGE_NOT_FOUND otherwise), not
 *   recalled (MESSAGE_RECALLED) and of a forwardable kind (NOT_FORWARDABLE);
 * - each target is checked like a send (posting rights, rate limit: one token per target) and is
 *   idempotent by its own clientId; one target's refusal does not stop the others;
 * - media is shared by reference: the copy carries the same media id, and the commit records the
 *   media as shared into the target (so its members may fetch it); no bytes are copied;
 * - the copy says `forwarded`; it names the original sender (id and nickname at forward time)
 *   only when that is the forwarder, or neither of the two blocked the other. A copy of a copy
 *   keeps naming the first author under the same rule, and an unnamed copy stays unnamed.
 */
export class Forwarder {
  constructor(private readonly p: ForwardingParts) {}

  async forward(userId: string, cid: string, seq: number, targets: readonly ForwardTarget[]): Promise<ForwardResult[]> {
    if (targets.length < 1 || targets.length > FORWARD_TARGETS)
      throw fail('VALIDATION_FAILED', `forward to 1–${FORWARD_TARGETS} conversations`);
    const seen = new Set<string>();
    for (const t of targets) {
      checkClientId(t.clientId);
      if (seen.has(t.to)) throw fail('VALIDATION_FAILED', 'each target conversation once');
      seen.add(t.to);
    }
    const { deps, access } = this.p;
    const view = await access.canRead(userId, cid);
    const source =
      Number.isSafeInteger(seq) && seq > view.floor && seq >= view.minSeq && seq <= view.ceil
        ? await deps.store.conversations.entry(cid, seq)
        : undefined;
    if (!source) throw fail('MESSAGE_NOT_FOUND', 'No such message');
    if (source.recalled_at != null) throw fail('MESSAGE_RECALLED', 'A recalled message cannot be forwarded');
    if (!(FORWARDABLE as readonly string[]).includes(source.kind))
      throw fail('NOT_FORWARDABLE', `A ${source.kind} entry cannot be forwarded`);
    const body = await this.copyBody(userId, source);

    // Checks first, one target after another (cheap: cache and limiter); then every accepted
    // copy is queued at once, so they share a group commit.
    const results: (ForwardResult | Promise<ForwardResult>)[] = [];
    for (const t of targets) {
      try {
        await this.p.rateLimit(userId);
        const right = await access.canPost(userId, t.to, deps.clock.now());
        const pending = this.p.writer.append({
          conversationId: right.ref.id,
          conversationKind: right.ref.kind,
          members: right.ref.kind === 'dm' ? right.ref.users : undefined,
          senderId: userId,
          clientId: t.clientId,
          kind: source.kind,
          body,
          mediaIds: body.media ? [body.media.id] : undefined,
        });
        results.push(
          pending.then(
            async (out) => {
              if (!out.duplicate) this.p.counted?.();
              await deps.notify.entries(out.row.conversation_id, [out.row]);
              const r = out.row;
              return {
                to: t.to,
                ack: {
                  clientId: r.client_id!,
                  conversation: r.conversation_id,
                  seq: Number(r.seq),
                  id: r.id,
                  ts: Number(r.created_at),
                },
              };
            },
            (e) => refusal(t.to, e),
          ),
        );
      } catch (e) {
        results.push(refusal(t.to, e));
      }
    }
    return Promise.all(results);
  }

  /** The copy's body: the latest text, the same media reference and sticker data, and the mark. */
  private async copyBody(userId: string, source: EntryRow): Promise<Partial<Entry>> {
    const stored = (typeof source.body === 'string' ? JSON.parse(source.body) : source.body) as Partial<Entry>;
    const body: Partial<Entry> = {};
    if (stored.text !== undefined) body.text = stored.text;
    if (stored.data !== undefined) body.data = stored.data;
    if (stored.media) {
      // The record must still exist: a copy must never point at nothing.
      if (!(await this.p.deps.store.media.byId(stored.media.id))) throw fail('MEDIA_NOT_FOUND', 'The media is gone');
      body.media = stored.media;
    }
    body.forwarded = await this.mark(userId, source, stored.forwarded);
    return body;
  }

  private async mark(userId: string, source: EntryRow, prior: ForwardMark | undefined): Promise<ForwardMark> {
    const author = prior ? prior.from : (source.sender_id ?? undefined);
    if (!author) return {};
    if (author !== userId && (await this.p.access.blockedPair(userId, author))) return {};
    const u = await this.p.deps.store.users.byId(author);
    return u ? { from: u.id, name: u.nickname } : {};
  }
}

function refusal(to: string, e: unknown): ForwardResult {
  // Faults that are not refusals (a bug, a lost database) fail the request as a whole.
  if (!isAppError(e)) throw e;
  return { to, error: { code: e.code, message: e.message, ...(e.temporary ? { temporary: true as const } : {}) } };
}
