import { groupOf, peerOf } from '../../api/conversation-ids.js';
import type { ConversationSummary } from '../../api/types.js';
import { app } from '../../state/app.js';
import { useStore } from '../../state/store.js';
import { useUser } from '../../state/users.js';

/** Title, avatar source and presence of a conversation, for the list and the chat header. */
export function useConversationMeta(cid: string, summary?: ConversationSummary) {
  const me = useStore(app, (s) => s.me?.id);
  const peerId = summary?.peer ?? peerOf(cid, me);
  const groupId = summary?.groupId ?? groupOf(cid);
  const peer = useUser(peerId);
  const remark = useStore(app, (s) => (peerId ? s.remarks[peerId] : undefined));
  const group = useStore(app, (s) => (groupId ? s.groups[groupId] : undefined));
  const online = useStore(app, (s) => (peerId ? s.presence[peerId] : undefined));
  if (groupId) {
    return {
      kind: 'group' as const,
      id: groupId,
      title: group?.name || 'Group',
      avatar: group?.avatar ?? null,
      online: undefined,
      group,
      peerId: undefined,
    };
  }
  return {
    kind: 'dm' as const,
    id: peerId ?? cid,
    title: remark || peer?.nickname || peer?.username || '…',
    avatar: peer?.avatar ?? null,
    online: online ?? false,
    group: undefined,
    peerId,
  };
}
