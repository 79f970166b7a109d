import { parseConversationId } from './conversation-id.js';

/**
 * Bus topic names, the one place they are spelled. Every device of a user listens on the
 * user's topic, every member's socket on its groups' topics, and every node on the cluster
 * topic (cluster-wide control: authorization-cache invalidations).
 */
export const userTopic = (userId: string) => `user:${userId}`;
export const groupTopic = (groupId: string) => `group:${groupId}`;
export const CLUSTER_TOPIC = 'cluster';

/** The topics whose subscribers must see a conversation's entries. */
export function conversationTopics(conversationId: string): string[] {
  const ref = parseConversationId(conversationId);
  return ref.kind === 'group' ? [groupTopic(ref.groupId)] : ref.users.map(userTopic);
}
