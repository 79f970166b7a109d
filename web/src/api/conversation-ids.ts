import { readConversationId } from '../../../src/domain/conversation-id.js';

// The server's own parser (pure, no Node imports), so the client reads `dm:`/`g:` ids exactly as
// the server writes them. A malformed id is neither a group nor a direct chat.

/** The group of a `g:<id>` conversation. */
export function groupOf(cid: string): string | undefined {
  const ref = readConversationId(cid);
  return ref?.kind === 'group' ? ref.groupId : undefined;
}

/** The other user of a direct chat `dm:<a>:<b>`, seen from `me`. */
export function peerOf(cid: string, me: string | undefined): string | undefined {
  const ref = readConversationId(cid);
  return ref?.kind === 'dm' ? ref.users.find((id) => id !== me) : undefined;
}
