import type { Kysely, Selectable } from 'kysely';
import { fail } from '../domain/errors.js';
import { isUniqueViolation, violatedConstraint } from './dialect.js';
import type { Database, LastSeenPrivacy, UsersTable } from './schema.js';

export type UserRow = Selectable<UsersTable>;

export interface NewUser {
  id: string;
  username: string;
  mobile: string | null;
  passwordHash: string;
  nickname: string;
  avatar: string | null;
  gender: string;
  bio: string;
  now: number;
}

export type UserPatch = Partial<Pick<UsersTable, 'nickname' | 'avatar' | 'gender' | 'bio' | 'mobile'>> & {
  last_seen_privacy?: LastSeenPrivacy;
};

/**
 * Users. Usernames are unique case-insensitively (through `username_lc`), mobiles exactly.
 * `create` and `update` fail with `USERNAME_TAKEN` / `MOBILE_TAKEN` and write nothing on a clash.
 */
export interface UserRepo {
  create(u: NewUser): Promise<UserRow>;
  byId(id: string): Promise<UserRow | undefined>;
  byIds(ids: readonly string[]): Promise<UserRow[]>;
  /** Exact match on the username (any case) or the mobile. */
  byLogin(login: string): Promise<UserRow | undefined>;
  update(id: string, patch: UserPatch, now: number): Promise<UserRow>;
  setPasswordHash(id: string, hash: string, now: number): Promise<void>;
  /** Marks the account disabled since `at` (or enabled again with null); false when no such user. */
  setDisabled(id: string, at: number | null, now: number): Promise<boolean>;
}

export class KyselyUserRepo implements UserRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async create(u: NewUser): Promise<UserRow> {
    const row: UserRow = {
      id: u.id,
      username: u.username,
      username_lc: u.username.toLowerCase(),
      mobile: u.mobile,
      password_hash: u.passwordHash,
      nickname: u.nickname,
      avatar: u.avatar,
      gender: u.gender,
      bio: u.bio,
      event_seq: 0,
      created_at: u.now,
      updated_at: u.now,
      disabled_at: null,
      last_seen_at: null,
      last_seen_privacy: 'contacts',
      deleted_at: null,
    };
    try {
      await this.db.insertInto('users').values(row).execute();
    } catch (e) {
      throw translateUniqueError(e);
    }
    return row;
  }

  byId(id: string) {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async byIds(ids: readonly string[]) {
    if (ids.length === 0) return [];
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('id', 'in', [...new Set(ids)])
      .execute();
  }

  byLogin(login: string) {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where((eb) => eb.or([eb('username_lc', '=', login.toLowerCase()), eb('mobile', '=', login)]))
      .executeTakeFirst();
  }

  async update(id: string, patch: UserPatch, now: number): Promise<UserRow> {
    try {
      await this.db
        .updateTable('users')
        .set({ ...patch, updated_at: now })
        .where('id', '=', id)
        .execute();
    } catch (e) {
      throw translateUniqueError(e);
    }
    const row = await this.byId(id);
    if (!row) throw fail('USER_NOT_FOUND', 'No such user');
    return row;
  }

  async setPasswordHash(id: string, hash: string, now: number) {
    await this.db.updateTable('users').set({ password_hash: hash, updated_at: now }).where('id', '=', id).execute();
  }
  async setDisabled(id: string, at: number | null, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('users')
      .set({ disabled_at: at, updated_at: now })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}

function translateUniqueError(e: unknown): unknown {
  if (!isUniqueViolation(e)) return e;
  return /mobile/i.test(violatedConstraint(e))
    ? fail('MOBILE_TAKEN', 'That mobile number is already registered')
    : fail('USERNAME_TAKEN', 'That username is taken');
}
