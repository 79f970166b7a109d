import { type Kysely, type Selectable, type Transaction, sql } from 'kysely';
import type { DialectName } from './db.js';
import { chunks } from './chunks.js';
import { isUniqueViolation } from './dialect.js';
import type { Database, MediaTable } from './schema.js';
import { insertIgnore, runTx } from './social-tx.js';

export type MediaRow = Selectable<MediaTable>;
type Tx = Transaction<Database> | Kysely<Database>;

/**
 * Media records (one per upload), the blobs they point at (one per distinct stored bytes) and
 * the conversations each media was sent in. Every method is atomic on its own.
 */
export interface MediaRepo {
  /**
   * Records an upload if the owner's usage plus its size stays within `quota`, atomically:
   * the usage row is updated conditionally in the same transaction as the insert, so
   * concurrent uploads (on any node) serialize on it and never pass the quota together.
   * False (and nothing written) when the upload would pass the quota. Anything that ever
   * deletes a media record must lower the usage in the same transaction.
   */
  insertWithinQuota(row: MediaRow, quota: number): Promise<boolean>;
  byId(id: string): Promise<MediaRow | undefined>;
  /** Sum of the sizes of the user's media records (the quota counts each upload), from the usage row. */
  usage(ownerId: string): Promise<number>;
  /**
   * Records that a blob exists, or refreshes its time when it already does: a blob touched
   * within the sweep's grace period is never collected, so a deduplicated upload keeps it.
   */
  touchBlob(sha256: string, size: number, now: number): Promise<void>;
  /** True when `userId` may see the media through a conversation they are a current member of. */
  sharedWith(mediaId: string, userId: string): Promise<boolean>;
  /**
   * True when the media is its uploader's own avatar, or the avatar of a live group the
   * uploader owns or administers: then every signed-in user may see it. Requiring the uploader
   * to be the avatar's holder means nobody can publish someone else's picture by naming it.
   */
  isAvatar(mediaId: string, ownerId: string): Promise<boolean>;
  /** Blobs older than `before` that no media record references (file or thumbnail). */
  unreferencedBlobs(before: number, limit: number): Promise<string[]>;
  /** Deletes the blob row if it is still unreferenced and older than `before`; true when deleted. */
  deleteBlobIfUnreferenced(sha256: string, before: number): Promise<boolean>;
  /** Of these hashes, the ones that have a blob row. */
  knownBlobs(sha256s: readonly string[]): Promise<Set<string>>;
}

/**
 * Marks a media as sent in a conversation. Runs in the caller's transaction (the messaging
 * writer calls it in the same transaction as the message that carries the media); idempotent.
 */
export async function addMediaShare(
  trx: Tx,
  dialect: DialectName,
  mediaId: string,
  conversationId: string,
): Promise<void> {
  const insert = trx.insertInto('media_shares').values({ media_id: mediaId, conversation_id: conversationId });
  await (dialect === 'mysql'
    ? insert.onDuplicateKeyUpdate({ media_id: sql`media_id` })
    : insert.onConflict((oc) => oc.columns(['media_id', 'conversation_id']).doNothing())
  ).execute();
}

const num = (v: unknown) => (v == null ? v : Number(v));

function fromDb(r: MediaRow): MediaRow {
  return {
    ...r,
    size: Number(r.size),
    created_at: Number(r.created_at),
    width: num(r.width) as number | null,
    height: num(r.height) as number | null,
    duration_ms: num(r.duration_ms) as number | null,
  };
}

export class KyselyMediaRepo implements MediaRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  async insertWithinQuota(row: MediaRow, quota: number) {
    // The row is created outside the transaction (idempotent), so the transaction itself only
    // updates a row that exists: on MySQL an insert-if-missing inside it could take gap locks.
    await insertIgnore(this.db, this.dialect, 'media_usage', { user_id: row.owner_id, bytes: 0 }, ['user_id']);
    return runTx(this.db, this.dialect, async (trx) => {
      // The conditional update is the check: it reads the committed usage under the row lock
      // (PostgreSQL re-checks the condition after waiting; MySQL updates read the latest row;
      // SQLite runs one writer at a time), so no two uploads can both see the old total.
      const r = await trx
        .updateTable('media_usage')
        .set((eb) => ({ bytes: eb('bytes', '+', row.size) }))
        .where('user_id', '=', row.owner_id)
        .where((eb) => eb(eb('bytes', '+', row.size), '<=', quota))
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      await trx.insertInto('media').values(row).execute();
      return true;
    });
  }

  async byId(id: string) {
    const r = await this.db.selectFrom('media').selectAll().where('id', '=', id).executeTakeFirst();
    return r && fromDb(r);
  }

  async usage(ownerId: string) {
    const r = await this.db.selectFrom('media_usage').select('bytes').where('user_id', '=', ownerId).executeTakeFirst();
    return Number(r?.bytes ?? 0);
  }

  async touchBlob(sha256: string, size: number, now: number) {
    try {
      await this.db.insertInto('blobs').values({ sha256, size, created_at: now }).execute();
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      await this.db.updateTable('blobs').set({ created_at: now }).where('sha256', '=', sha256).execute();
    }
  }

  async sharedWith(mediaId: string, userId: string) {
    // Both checks start from the user's side (their member rows, their groups), so a media
    // shared into any number of conversations (forwarded widely) is answered the same way.
    const member = await this.db
      .selectFrom('media_shares as s')
      .innerJoin('conversation_members as m', 'm.conversation_id', 's.conversation_id')
      .select('m.user_id')
      .where('s.media_id', '=', mediaId)
      .where('m.user_id', '=', userId)
      .where('m.left_seq', 'is', null)
      .limit(1)
      .executeTakeFirst();
    if (member) return true;
    // A group member without a member row yet (see ConversationAccess.canRead) sees the group.
    const groups = await this.db.selectFrom('group_members').select('group_id').where('user_id', '=', userId).execute();
    for (const chunk of chunks(
      groups.map((g) => `g:${g.group_id}`),
      500,
    )) {
      const hit = await this.db
        .selectFrom('media_shares')
        .select('conversation_id')
        .where('media_id', '=', mediaId)
        .where('conversation_id', 'in', chunk)
        .limit(1)
        .executeTakeFirst();
      if (hit) return true;
    }
    return false;
  }

  async isAvatar(mediaId: string, ownerId: string) {
    const u = await this.db
      .selectFrom('users')
      .select('id')
      .where('avatar', '=', mediaId)
      .where('id', '=', ownerId)
      .executeTakeFirst();
    if (u) return true;
    const g = await this.db
      .selectFrom('chat_groups as g')
      .innerJoin('group_members as gm', 'gm.group_id', 'g.id')
      .select('g.id')
      .where('g.avatar', '=', mediaId)
      .where('g.dissolved_at', 'is', null)
      .where('gm.user_id', '=', ownerId)
      .where('gm.role', 'in', ['owner', 'admin'])
      .executeTakeFirst();
    return Boolean(g);
  }

  async unreferencedBlobs(before: number, limit: number) {
    const rows = await this.db
      .selectFrom('blobs as b')
      .select('b.sha256')
      .where('b.created_at', '<', before)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('media as m').select('m.id').whereRef('m.sha256', '=', 'b.sha256'))),
      )
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('media as t').select('t.id').whereRef('t.thumb_sha256', '=', 'b.sha256'))),
      )
      .limit(limit)
      .execute();
    return rows.map((r) => r.sha256);
  }

  async deleteBlobIfUnreferenced(sha256: string, before: number) {
    const r = await this.db
      .deleteFrom('blobs')
      .where('sha256', '=', sha256)
      .where('created_at', '<', before)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('media')
              .select('media.id')
              .where((eb) => eb.or([eb('media.sha256', '=', sha256), eb('media.thumb_sha256', '=', sha256)])),
          ),
        ),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async knownBlobs(sha256s: readonly string[]) {
    if (sha256s.length === 0) return new Set<string>();
    const rows = await this.db
      .selectFrom('blobs')
      .select('sha256')
      .where('sha256', 'in', [...sha256s])
      .execute();
    return new Set(rows.map((r) => r.sha256));
  }
}
