import { type ConversationRef, dmPeer, parseConversationId } from '../domain/conversation-id.js';
import { fail } from '../domain/errors.js';
import type { Role } from '../domain/group-rules.js';
import type { ConversationRepo } from '../store/conversations.js';
import type { AuthzCache } from './authz-cache.js';

/** What a user may read of a conversation: entries with `floor < seq <= ceil`. */
export interface ReadView {
  ref: ConversationRef;
  floor: number;
  ceil: number;
  minSeq: number;
  maxSeq: number;
  readSeq: number;
}

export interface PostRight {
  ref: ConversationRef;
  /** DMs: the other user. */
  peer?: string;
  /** Groups: the sender's role. */
  role?: Role;
}

/**
 * The authorization rules of a conversation, in one place for every transport.
 * Posting is answered from the in-memory cache (no database read); reading reads the member
 * row, because joined/left seqs bound what a group member may see.
 */
export class ConversationAccess {
  constructor(
    private readonly cache: AuthzCache,
    private readonly repo: ConversationRepo,
  ) {}

  async canPost(userId: string, cid: string, now: number): Promise<PostRight> {
    const ref = parseConversationId(cid);
    if (ref.kind === 'dm') {
      const peer = dmPeer(ref, userId);
      if (!peer) throw fail('FORBIDDEN', 'You are not in this conversation');
      const pair = await this.cache.pair(userId, peer);
      if (pair.blocked) throw fail('BLOCKED', 'One of you blocked the other');
      if (!pair.friends) throw fail('NOT_FRIENDS', 'You can only message friends');
      return { ref, peer };
    }
    const group = await this.cache.group(ref.groupId);
    if (!group.exists) throw fail('CONVERSATION_NOT_FOUND', 'No such group');
    if (group.dissolved) throw fail('FORBIDDEN', 'The group was dissolved');
    const m = await this.cache.membership(ref.groupId, userId);
    if (!m) throw fail('NOT_A_MEMBER', 'You are not a member of this group');
    if (m.mutedUntil != null && m.mutedUntil > now) throw fail('MUTED', 'You are muted in this group');
    return { ref, role: m.role };
  }

  /** Users who blocked this user: live signals of theirs skip them (from the cache). */
  blockers(userId: string): Promise<string[]> {
    return this.cache.blockers(userId);
  }

  /** True when either user of a pair blocked the other (from the cache). */
  async blockedPair(a: string, b: string): Promise<boolean> {
    return (await this.cache.pair(a, b)).blocked;
  }

  async canRead(userId: string, cid: string): Promise<ReadView> {
    const ref = parseConversationId(cid);
    if (ref.kind === 'dm' && !dmPeer(ref, userId)) throw fail('FORBIDDEN', 'You are not in this conversation');
    const [conv, member] = await Promise.all([this.repo.get(cid), this.repo.member(cid, userId)]);
    // A direct conversation exists from the friendship on (its row is made on accept): any other
    // `dm:` id names nothing, and nothing may be written for it (no member row, no flags).
    if (ref.kind === 'dm' && !conv) throw fail('CONVERSATION_NOT_FOUND', 'No such conversation');
    const maxSeq = Number(conv?.max_seq ?? 0);
    const minSeq = Number(conv?.min_seq ?? 1);
    if (ref.kind === 'group' && !member) {
      // A member whose conversation row was not created (yet) sees the group from its start.
      if (!(await this.cache.membership(ref.groupId, userId)))
        throw fail('NOT_A_MEMBER', 'You are not a member of this group');
    }
    const floor = Number(member?.joined_seq ?? 0);
    const ceil = member?.left_seq != null ? Math.min(Number(member.left_seq), maxSeq) : maxSeq;
    return { ref, floor, ceil, minSeq, maxSeq, readSeq: Number(member?.read_seq ?? 0) };
  }
}
