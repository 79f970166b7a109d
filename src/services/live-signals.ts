import { dmPeer } from '../domain/conversation-id.js';
import type { ConversationAccess } from './conversation-access.js';
import type { ServiceDeps } from './deps.js';

/**
 * The ephemeral typing signal. Nothing is stored; a lost frame costs nothing. (Presence is
 * announced by `PresenceLifecycle`, which also enforces the connection limit.)
 */
export class LiveSignals {
  private readonly lastTyping = new Map<string, number>();

  constructor(
    private readonly deps: ServiceDeps,
    private readonly access: ConversationAccess,
  ) {}

  /**
   * Relays "typing" to the other members (not to the typist's own devices), at most once per
   * `typingThrottle` per user and conversation; extra frames are dropped silently.
   */
  async typing(userId: string, cid: string): Promise<void> {
    const { clock, config, notify } = this.deps;
    const now = clock.now();
    const right = await this.access.canPost(userId, cid, now);
    const key = `${userId}|${right.ref.id}`;
    const last = this.lastTyping.get(key);
    if (last !== undefined && now - last < config.typingThrottle) return;
    this.lastTyping.set(key, now);
    if (this.lastTyping.size > 20_000) {
      for (const [k, t] of this.lastTyping) if (now - t >= config.typingThrottle) this.lastTyping.delete(k);
    }
    const frame = { type: 'typing' as const, conversation: right.ref.id, userId };
    const peer = dmPeer(right.ref, userId);
    if (peer) await notify.toUsers([peer], frame);
    // (A DM with a block cannot get here: posting is refused.) In a group, members who
    // blocked the typist do not hear of it.
    else await notify.toConversation(right.ref.id, frame, undefined, userId, await this.access.blockers(userId));
  }
}
