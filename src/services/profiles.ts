import { fail } from '../domain/errors.js';
import type { BadgeCounts } from '../store/profiles.js';
import type { Actor } from './accounts.js';
import type { ServiceDeps } from './deps.js';
import { type GroupView, type PageQuery, type Paged, groupView, pageOf, paged } from './social-views.js';

export type { BadgeCounts } from '../store/profiles.js';

/**
 * What someone else's profile shows beyond the public user (the groups two people share) and the
 * counts behind the navigation badges. Both read only what the actor may already see: mutual
 * groups are a subset of the actor's own groups, and the badges count the actor's own inbox.
 */
export class ProfileService {
  constructor(private readonly deps: ServiceDeps) {}

  /** Live groups both the actor and `userId` belong to, in the actor's join order; paged. */
  async mutualGroups(actor: Actor, userId: string, q: PageQuery): Promise<Paged<GroupView>> {
    const page = pageOf(q);
    if (userId === actor.userId) throw fail('CANNOT_TARGET_SELF', 'Mutual groups are between you and someone else');
    const { store } = this.deps;
    if (!(await store.users.byId(userId))) throw fail('USER_NOT_FOUND', 'No such user');
    const rows = await store.profiles.mutualGroups(actor.userId, userId, page);
    return paged(
      rows,
      page.limit,
      (r) => groupView(r, r),
      (r) => [r.joined_at, r.id],
    );
  }

  /** Pending friend requests to the actor and join requests to the groups they administer. */
  badges(actor: Actor): Promise<BadgeCounts> {
    return this.deps.store.profiles.badges(actor.userId);
  }
}
