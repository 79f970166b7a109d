import type { ServerFrame } from '@parley/client';
import type { MembershipView } from '../store/conversations.js';
import type { ConversationAccess } from './conversation-access.js';

const PER_FRAME = 500;

/**
 * The catch-up part of delivery and read receipts: for the direct chats a client listed (whose
 * summaries `sync.done` does not carry), the peer's read and delivered positions in `receipts`
 * frames of at most {@link PER_FRAME}. Chats where nothing was received or read yet, and pairs
 * with a block, are left out. Returns false once the connection is gone.
 */
export async function emitReceipts(
  userId: string,
  listed: MembershipView[],
  access: ConversationAccess,
  emit: (frame: ServerFrame) => boolean | Promise<boolean>,
): Promise<boolean> {
  const positions: Extract<ServerFrame, { type: 'receipts' }>['positions'] = [];
  for (const m of listed) {
    if (m.kind !== 'dm') continue;
    const readSeq = m.peerReadSeq ?? 0;
    const deliveredSeq = m.peerDeliveredSeq ?? 0;
    if (readSeq === 0 && deliveredSeq === 0) continue;
    const peer = m.conversationId
      .split(':')
      .slice(1)
      .find((u) => u !== userId);
    if (!peer || (await access.blockedPair(userId, peer))) continue;
    positions.push({ conversation: m.conversationId, userId: peer, readSeq, deliveredSeq });
  }
  for (let i = 0; i < positions.length; i += PER_FRAME) {
    if (!(await emit({ type: 'receipts', positions: positions.slice(i, i + PER_FRAME) }))) return false;
  }
  return true;
}
