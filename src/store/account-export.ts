import type { Kysely, Selectable } from 'kysely';
import type { Database, EntriesTable, MediaTable } from './schema.js';

export interface ExportContact {
  id: string;
  username: string;
  nickname: string;
  remark: string;
  since: number;
}

/**
 * Paged reads for a user's data export; each call returns at most `limit` rows after the given
 * key, so an export of any size holds one page at a time. Contract:
 * - `contacts`: the user's friends by peer id.
 * - `conversations`: ids of every conversation the user has (or had) a membership in, by id.
 * - `ownEntries`: entries of one conversation the user sent, by seq (system entries included).
 * - `media`: records the user owns, by id.
 */
export interface AccountExportRepo {
  contacts(userId: string, afterPeer: string, limit: number): Promise<ExportContact[]>;
  conversations(userId: string, afterId: string, limit: number): Promise<string[]>;
  ownEntries(
    conversationId: string,
    userId: string,
    afterSeq: number,
    limit: number,
  ): Promise<Selectable<EntriesTable>[]>;
  media(userId: string, afterId: string, limit: number): Promise<Selectable<MediaTable>[]>;
}

export class KyselyAccountExportRepo implements AccountExportRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async contacts(userId: string, afterPeer: string, limit: number) {
    const rows = await this.db
      .selectFrom('contacts')
      .innerJoin('users', 'users.id', 'contacts.peer_id')
      .select(['contacts.peer_id', 'users.username', 'users.nickname', 'contacts.remark', 'contacts.created_at'])
      .where('contacts.user_id', '=', userId)
      .where('contacts.peer_id', '>', afterPeer)
      .orderBy('contacts.peer_id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.peer_id,
      username: r.username,
      nickname: r.nickname,
      remark: r.remark,
      since: Number(r.created_at),
    }));
  }

  async conversations(userId: string, afterId: string, limit: number) {
    const rows = await this.db
      .selectFrom('conversation_members')
      .select('conversation_id')
      .where('user_id', '=', userId)
      .where('conversation_id', '>', afterId)
      .orderBy('conversation_id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.conversation_id);
  }

  ownEntries(conversationId: string, userId: string, afterSeq: number, limit: number) {
    return this.db
      .selectFrom('entries')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('seq', '>', afterSeq)
      .where('sender_id', '=', userId)
      .orderBy('seq')
      .limit(limit)
      .execute();
  }

  media(userId: string, afterId: string, limit: number) {
    return this.db
      .selectFrom('media')
      .selectAll()
      .where('owner_id', '=', userId)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
  }
}
