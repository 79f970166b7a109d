import { sql } from 'kysely';
import { type AccountEraseRepo, KyselyAccountEraseRepo } from './account-erase.js';
import { type AccountExportRepo, KyselyAccountExportRepo } from './account-export.js';
import { KyselyTwoFactorRepo, type TwoFactorRepo } from './two-factor.js';
import { KyselyUserEmailRepo, type UserEmailRepo } from './user-emails.js';
import { type ContactRepo, KyselyContactRepo } from './contacts.js';
import { type Db, type DbOptions, type DialectName, type PoolStats, openDb } from './db.js';
import { type GroupRepo, KyselyGroupRepo } from './groups.js';
import { type InviteRepo, KyselyInviteRepo } from './invites.js';
import { KyselyLastSeenRepo, type LastSeenRepo } from './last-seen.js';
import { type AuthzRepo, KyselyAuthzRepo } from './authz.js';
import { type ConversationRepo, KyselyConversationRepo } from './conversations.js';
import { type EntryLogRepo, KyselyEntryLogRepo } from './entry-log.js';
import { KyselyMediaRepo, type MediaRepo } from './media.js';
import { KyselyMarksRepo, type MarksRepo } from './marks.js';
import { migrateToLatest } from './migrations.js';
import { KyselyProfileRepo, type ProfileRepo } from './profiles.js';
import { KyselySearchRepo, type SearchRepo } from './search.js';
import { KyselySearchIndexRepo, type SearchIndexRepo } from './search-index.js';
import { KyselyReceiptRepo, type ReceiptRepo } from './receipts.js';
import { KyselyPushSubscriptionRepo, type PushSubscriptionRepo } from './push-subscriptions.js';
import { KyselySessionRepo, type SessionRepo } from './sessions.js';
import { KyselyThrottleRepo, type ThrottleRepo } from './throttles.js';
import { KyselyUserRepo, type UserRepo } from './users.js';

/**
 * Everything Parley keeps, as one object of repositories. There is one implementation (Kysely)
 * for SQLite, PostgreSQL and MySQL/MariaDB; services see only these interfaces.
 * Each repository method is atomic: it commits whole or changes nothing.
 */
export interface Store {
  readonly dialect: DialectName;
  readonly users: UserRepo;
  readonly sessions: SessionRepo;
  readonly throttles: ThrottleRepo;
  readonly contacts: ContactRepo;
  readonly groups: GroupRepo;
  readonly conversations: ConversationRepo;
  readonly entryLog: EntryLogRepo;
  readonly authz: AuthzRepo;
  readonly media: MediaRepo;
  readonly profiles: ProfileRepo;
  readonly search: SearchRepo;
  /** The search index's background writer (see services/search-indexer.ts). */
  readonly searchIndex: SearchIndexRepo;
  readonly invites: InviteRepo;
  readonly lastSeen: LastSeenRepo;
  readonly receipts: ReceiptRepo;
  readonly pushSubscriptions: PushSubscriptionRepo;
  readonly accountErase: AccountEraseRepo;
  readonly accountExport: AccountExportRepo;
  readonly twoFactor: TwoFactorRepo;
  /** Reactions and pinned messages (read side; the entry log writes them). */
  readonly marks: MarksRepo;
  readonly userEmails: UserEmailRepo;
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class KyselyStore implements Store {
  readonly dialect: DialectName;
  readonly users: UserRepo;
  readonly sessions: SessionRepo;
  readonly throttles: ThrottleRepo;
  readonly contacts: ContactRepo;
  readonly groups: GroupRepo;
  readonly conversations: ConversationRepo;
  readonly entryLog: EntryLogRepo;
  readonly authz: AuthzRepo;
  readonly media: MediaRepo;
  readonly profiles: ProfileRepo;
  readonly search: SearchRepo;
  readonly searchIndex: SearchIndexRepo;
  readonly invites: InviteRepo;
  readonly lastSeen: LastSeenRepo;
  readonly receipts: ReceiptRepo;
  readonly pushSubscriptions: PushSubscriptionRepo;
  readonly accountErase: AccountEraseRepo;
  readonly accountExport: AccountExportRepo;
  readonly twoFactor: TwoFactorRepo;
  readonly marks: MarksRepo;
  readonly userEmails: UserEmailRepo;

  constructor(readonly conn: Db) {
    const { db, dialect } = conn;
    this.dialect = dialect;
    this.users = new KyselyUserRepo(db);
    this.sessions = new KyselySessionRepo(db);
    this.throttles = new KyselyThrottleRepo(db, dialect);
    this.contacts = new KyselyContactRepo(db, dialect);
    this.groups = new KyselyGroupRepo(db, dialect);
    this.conversations = new KyselyConversationRepo(db, dialect);
    this.entryLog = new KyselyEntryLogRepo(db, dialect);
    this.authz = new KyselyAuthzRepo(db);
    this.media = new KyselyMediaRepo(db, dialect);
    this.profiles = new KyselyProfileRepo(db);
    this.search = new KyselySearchRepo(db);
    this.searchIndex = new KyselySearchIndexRepo(db, dialect);
    this.invites = new KyselyInviteRepo(db);
    this.lastSeen = new KyselyLastSeenRepo(db);
    this.receipts = new KyselyReceiptRepo(db, dialect);
    this.pushSubscriptions = new KyselyPushSubscriptionRepo(db, dialect);
    this.accountErase = new KyselyAccountEraseRepo(db, dialect);
    this.accountExport = new KyselyAccountExportRepo(db);
    this.twoFactor = new KyselyTwoFactorRepo(db, dialect);
    this.marks = new KyselyMarksRepo(db);
    this.userEmails = new KyselyUserEmailRepo(db);
  }

  /** How busy the database connections are (see {@link PoolStats}). */
  poolStats(): PoolStats {
    return this.conn.poolStats();
  }

  async ping() {
    await sql`select 1`.execute(this.conn.db);
  }

  close() {
    return this.conn.close();
  }
}

/** Opens the database named by `url`, runs pending migrations and returns the store. */
export async function openStore(url: string, opts: DbOptions = {}): Promise<KyselyStore> {
  const conn = openDb(url, opts);
  try {
    await migrateToLatest(conn.db, conn.dialect);
  } catch (e) {
    await conn.close().catch(() => {});
    throw e;
  }
  return new KyselyStore(conn);
}
