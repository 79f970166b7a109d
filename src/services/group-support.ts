import { groupConversationId } from '../domain/conversation-id.js';
import { fail } from '../domain/errors.js';
import { groupTopic } from '../domain/topics.js';
import type { GroupChange } from '../store/groups.js';
import { groupFacts, userFacts } from './authz-cache.js';
import type { ServiceDeps } from './deps.js';

// Helpers shared by the group services: loading a live group, and fan-out after commit.

/** A live group and the user's membership (undefined when not a member); a dissolved group is 404. */
export async function loadGroup(deps: ServiceDeps, groupId: string, userId: string) {
  const { groups } = deps.store;
  const [g, m] = await Promise.all([groups.byId(groupId), groups.member(groupId, userId)]);
  if (!g || g.dissolved_at !== null) throw fail('GROUP_NOT_FOUND', 'No such group');
  return { g, m };
}

/**
 * After commit: drop authorization caches, subscribe joiners' sockets to the group topic (so
 * they get their own join entry), publish the entries and events, and only then unsubscribe
 * leavers (so they get their own exit entry).
 */
export async function publishGroupChange(
  deps: ServiceDeps,
  ch: GroupChange<unknown>,
  o: { join?: string[]; leave?: string[]; invalidate?: string[] },
) {
  const { notify } = deps;
  const gid = ch.group.id;
  const users = [...(o.join ?? []), ...(o.leave ?? []), ...(o.invalidate ?? [])];
  if (o.join || o.leave || o.invalidate) await notify.invalidate([groupFacts(gid), ...users.map(userFacts)]);
  for (const u of o.join ?? []) await notify.joinTopic(u, groupTopic(gid));
  if (ch.entries.length) await notify.entries(groupConversationId(gid), ch.entries);
  if (ch.events.length) await notify.userEvents(ch.events);
  for (const u of o.leave ?? []) await notify.leaveTopic(u, groupTopic(gid));
}
