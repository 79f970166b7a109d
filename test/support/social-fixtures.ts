import type { App } from '../../src/app.js';
import { newId } from '../../src/domain/ids.js';
import { CLUSTER_TOPIC, groupTopic, userTopic } from '../../src/domain/topics.js';
import { groupFacts, userFacts } from '../../src/services/authz-cache.js';
import { ensureConversation } from '../../src/store/log.js';

/**
 * Friendships, blocks and groups written straight into the tables the contacts/groups service
 * owns (contacts both ways, blocks, chat_groups, group_members, conversation_members with
 * joined_seq/left_seq), then announced the way that service does: `invalidate` on the cluster
 * topic and `topic.join`/`topic.leave` on the user's topic. Messaging tests do not depend on
 * the social routes this way.
 */
const db = (app: App) => app.store.conn.db;

async function invalidate(app: App, keys: string[]) {
  await app.bus.publish(CLUSTER_TOPIC, { type: 'invalidate', keys });
}

export async function befriend(app: App, a: string, b: string) {
  const now = Date.now();
  await db(app)
    .insertInto('contacts')
    .values([
      { user_id: a, peer_id: b, remark: '', created_at: now },
      { user_id: b, peer_id: a, remark: '', created_at: now },
    ])
    .execute();
  await invalidate(app, [userFacts(a), userFacts(b)]);
}

export async function unfriend(app: App, a: string, b: string) {
  await db(app)
    .deleteFrom('contacts')
    .where((eb) =>
      eb.or([
        eb.and([eb('user_id', '=', a), eb('peer_id', '=', b)]),
        eb.and([eb('user_id', '=', b), eb('peer_id', '=', a)]),
      ]),
    )
    .execute();
  await invalidate(app, [userFacts(a), userFacts(b)]);
}

export async function block(app: App, who: string, whom: string) {
  await db(app).insertInto('blocks').values({ user_id: who, blocked_id: whom, created_at: Date.now() }).execute();
  await invalidate(app, [userFacts(who), userFacts(whom)]);
}

async function maxSeq(app: App, cid: string): Promise<number> {
  const r = await db(app).selectFrom('conversations').select('max_seq').where('id', '=', cid).executeTakeFirst();
  return Number(r?.max_seq ?? 0);
}

export async function createGroup(
  app: App,
  ownerId: string,
  memberIds: string[],
  name = 'group',
): Promise<{ groupId: string; cid: string }> {
  const groupId = newId();
  const cid = `g:${groupId}`;
  const now = Date.now();
  await db(app)
    .insertInto('chat_groups')
    .values({
      id: groupId,
      name,
      name_lc: name.toLowerCase(),
      avatar: null,
      notice: '',
      owner_id: ownerId,
      join_policy: 'open',
      member_count: memberIds.length + 1,
      created_at: now,
      updated_at: now,
      dissolved_at: null,
    })
    .execute();
  await ensureConversation(db(app), app.store.dialect, cid, 'group', now);
  await db(app)
    .insertInto('group_members')
    .values({ group_id: groupId, user_id: ownerId, role: 'owner', muted_until: null, joined_at: now })
    .execute();
  await db(app)
    .insertInto('conversation_members')
    .values({
      conversation_id: cid,
      user_id: ownerId,
      read_seq: 0,
      muted: 0,
      pinned: 0,
      joined_seq: 0,
      left_seq: null,
      updated_at: now,
    })
    .execute();
  for (const m of memberIds) await addMember(app, groupId, m);
  return { groupId, cid };
}

export async function addMember(app: App, groupId: string, userId: string, role: 'admin' | 'member' = 'member') {
  const cid = `g:${groupId}`;
  const now = Date.now();
  const joined = await maxSeq(app, cid);
  await db(app)
    .insertInto('group_members')
    .values({ group_id: groupId, user_id: userId, role, muted_until: null, joined_at: now })
    .execute();
  await db(app)
    .deleteFrom('conversation_members')
    .where('conversation_id', '=', cid)
    .where('user_id', '=', userId)
    .execute();
  await db(app)
    .insertInto('conversation_members')
    .values({
      conversation_id: cid,
      user_id: userId,
      read_seq: joined,
      muted: 0,
      pinned: 0,
      joined_seq: joined,
      left_seq: null,
      updated_at: now,
    })
    .execute();
  await invalidate(app, [groupFacts(groupId), userFacts(userId)]);
  await app.bus.publish(userTopic(userId), { type: 'topic.join', userId, topic: groupTopic(groupId) });
}

export async function removeMember(app: App, groupId: string, userId: string) {
  const cid = `g:${groupId}`;
  const left = await maxSeq(app, cid);
  await db(app).deleteFrom('group_members').where('group_id', '=', groupId).where('user_id', '=', userId).execute();
  await db(app)
    .updateTable('conversation_members')
    .set({ left_seq: left })
    .where('conversation_id', '=', cid)
    .where('user_id', '=', userId)
    .execute();
  await invalidate(app, [groupFacts(groupId), userFacts(userId)]);
  await app.bus.publish(userTopic(userId), { type: 'topic.leave', userId, topic: groupTopic(groupId) });
}

export async function muteMember(app: App, groupId: string, userId: string, until: number) {
  await db(app)
    .updateTable('group_members')
    .set({ muted_until: until })
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .execute();
  await invalidate(app, [groupFacts(groupId)]);
}

export async function setRole(app: App, groupId: string, userId: string, role: 'admin' | 'member') {
  await db(app)
    .updateTable('group_members')
    .set({ role })
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .execute();
  await invalidate(app, [groupFacts(groupId)]);
}
