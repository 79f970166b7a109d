import type { Kysely } from 'kysely';
import { groupConversationId } from '../../src/domain/conversation-id.js';
import { newId, newToken } from '../../src/domain/ids.js';
import { hashToken } from '../../src/services/accounts.js';
import type { Database } from '../../src/store/schema.js';
import { openStore } from '../../src/store/store.js';
import { type BenchUser, type World, type WorldSpec, groupRanges } from '../targets/target.js';

/** Never verified: benchmark users connect with pre-made session tokens, they never log in. */
const NO_LOGIN_HASH = '$bench$not-a-password-hash';
const CHUNK = 500;

async function insertChunked<T extends keyof Database>(db: Kysely<Database>, table: T, rows: any[]) {
  for (let i = 0; i < rows.length; i += CHUNK)
    await db
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK) as any)
      .execute();
}

/**
 * Seeds users, live sessions (known tokens, stored hashed), friendships and groups straight
 * into Parley's store, the rows the accounts/contacts/groups services would have written,
 * without hashing passwords or going through login throttles. Runs migrations first.
 */
export async function seedParley(dbUrl: string, spec: WorldSpec): Promise<World> {
  const store = await openStore(dbUrl);
  try {
    const db = store.conn.db;
    const now = Date.now();
    const tag = now.toString(36).slice(-5);
    const users: BenchUser[] = [];
    const userRows: Record<string, unknown>[] = [];
    const sessionRows: Record<string, unknown>[] = [];
    for (let i = 0; i < spec.users; i++) {
      const id = newId();
      const token = newToken();
      const username = `b${tag}_${i}`;
      users.push({ index: i, id, token, groups: [] });
      userRows.push({
        id,
        username,
        username_lc: username,
        mobile: null,
        password_hash: NO_LOGIN_HASH,
        nickname: `bench ${i}`,
        avatar: null,
        gender: 'unspecified',
        bio: '',
        event_seq: 0,
        created_at: now,
        updated_at: now,
      });
      sessionRows.push({
        id: newId(),
        user_id: id,
        token_hash: hashToken(token),
        device: 'bench',
        ip: '127.0.0.1',
        created_at: now,
        last_seen_at: now,
        expires_at: now + 30 * 86_400_000,
        revoked_at: null,
      });
    }
    await db.transaction().execute(async (trx) => {
      await insertChunked(trx, 'users', userRows);
      await insertChunked(trx, 'sessions', sessionRows);
      if (spec.pairs) {
        const contacts = [];
        for (let i = 0; i + 1 < users.length; i += 2) {
          const a = users[i]!.id;
          const b = users[i + 1]!.id;
          contacts.push(
            { user_id: a, peer_id: b, remark: '', created_at: now },
            { user_id: b, peer_id: a, remark: '', created_at: now },
          );
        }
        await insertChunked(trx, 'contacts', contacts);
      }
    });
    const groups: World['groups'] = [];
    for (const [from, to] of groupRanges(spec)) {
      const id = newId();
      const members = users.slice(from, to);
      const size = members.length;
      for (const u of members) u.groups.push(id);
      const cid = groupConversationId(id);
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('chat_groups')
          .values({
            id,
            name: `bench ${id.slice(0, 6)}`,
            name_lc: `bench ${id.slice(0, 6)}`,
            avatar: null,
            notice: '',
            owner_id: members[0]!.id,
            join_policy: 'invite',
            member_count: size,
            created_at: now,
            updated_at: now,
            dissolved_at: null,
          })
          .execute();
        await insertChunked(
          trx,
          'group_members',
          members.map((u, i) => ({
            group_id: id,
            user_id: u.id,
            role: i === 0 ? 'owner' : 'member',
            muted_until: null,
            joined_at: now,
          })),
        );
        await trx
          .insertInto('conversations')
          .values({ id: cid, kind: 'group', max_seq: 0, min_seq: 1, created_at: now, last_at: now })
          .execute();
        await insertChunked(
          trx,
          'conversation_members',
          members.map((u) => ({
            conversation_id: cid,
            user_id: u.id,
            read_seq: 0,
            muted: 0,
            pinned: 0,
            joined_seq: 0,
            left_seq: null,
            updated_at: now,
          })),
        );
      });
      groups.push({ id, size });
    }
    return { users, groups };
  } finally {
    await store.close();
  }
}
