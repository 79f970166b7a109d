import type { Kysely } from 'kysely';
import type { MyGroupRow } from './groups.js';
import { type PageRequest, keysetPage } from './keyset.js';
import type { Database } from './schema.js';

/** A group both users belong to, with the viewer's own membership and join time (the page key). */
export interface MutualGroupRow extends MyGroupRow {
  joined_at: number;
}

/** What the navigation badges count for one user. */
export interface BadgeCounts {
  /** Pending friend requests sent to the user. */
  contactRequests: number;
  /** Pending join requests to live groups the user owns or administers, not from users they blocked. */
  joinRequests: number;
}

/**
 * Read-only queries behind someone else's profile and the navigation badges.
 *
 * Contract: `mutualGroups` lists only live groups in which BOTH users have a `group_members` row,
 * in the viewer's join order (then group id), keyset-paged; it never reveals a group the viewer is
 * not in. `badges` counts what the viewer can act on right now, with the same filters as the lists
 * the counts stand for (`GET /contacts/requests?direction=in`, `GET /groups/:id/requests`).
 */
export interface ProfileRepo {
  mutualGroups(viewer: string, other: string, page: PageRequest): Promise<MutualGroupRow[]>;
  badges(userId: string): Promise<BadgeCounts>;
}

export class KyselyProfileRepo implements ProfileRepo {
  constructor(private readonly db: Kysely<Database>) {}

  mutualGroups(viewer: string, other: string, page: PageRequest) {
    const q = this.db
      .selectFrom('group_members as mine')
      .innerJoin('group_members as theirs', (j) =>
        j.onRef('theirs.group_id', '=', 'mine.group_id').on('theirs.user_id', '=', other),
      )
      .innerJoin('chat_groups', 'chat_groups.id', 'mine.group_id')
      .selectAll('chat_groups')
      .select(['mine.role', 'mine.muted_until', 'mine.joined_at'])
      .where('mine.user_id', '=', viewer)
      .where('chat_groups.dissolved_at', 'is', null);
    return keysetPage(q, 'mine.joined_at', 'chat_groups.id', 'asc', page).execute();
  }

  async badges(userId: string): Promise<BadgeCounts> {
    const [friends, joins] = await Promise.all([
      this.db
        .selectFrom('contact_requests')
        .select((e) => e.fn.countAll<number | string | bigint>().as('n'))
        .where('to_id', '=', userId)
        .where('status', '=', 'pending')
        .executeTakeFirst(),
      this.db
        .selectFrom('group_requests')
        .innerJoin('group_members', 'group_members.group_id', 'group_requests.group_id')
        .innerJoin('chat_groups', 'chat_groups.id', 'group_requests.group_id')
        .select((e) => e.fn.countAll<number | string | bigint>().as('n'))
        .where('group_members.user_id', '=', userId)
        .where('group_members.role', 'in', ['owner', 'admin'])
        .where('group_requests.status', '=', 'pending')
        .where('chat_groups.dissolved_at', 'is', null)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('blocks')
                .select('blocks.user_id')
                .where('blocks.user_id', '=', userId)
                .whereRef('blocks.blocked_id', '=', 'group_requests.user_id'),
            ),
          ),
        )
        .executeTakeFirst(),
    ]);
    // COUNT comes back as a number (SQLite), a string (PostgreSQL bigint) or a bigint, by driver.
    return { contactRequests: Number(friends?.n ?? 0), joinRequests: Number(joins?.n ?? 0) };
  }
}
