import type { Config } from '../config.js';
import type { Metrics } from '../metrics.js';
import type { AccountService } from '../services/accounts.js';
import type { AccountDeletion } from '../services/account-deletion.js';
import type { AccountExport } from '../services/account-export.js';
import type { TwoFactorService } from '../services/two-factor.js';
import type { AccountRecovery } from '../services/account-recovery.js';
import type { AccountEmail } from '../services/account-email.js';
import type { ContactService } from '../services/contacts.js';
import type { GroupService } from '../services/groups.js';
import type { MessagingService } from '../services/messaging.js';
import type { MediaService } from '../services/media.js';
import type { ProfileService } from '../services/profiles.js';
import type { SearchService } from '../services/search.js';
import type { InviteService } from '../services/invites.js';
import type { LastSeenService } from '../services/last-seen.js';
import type { PushService } from '../services/push.js';

/** The services behind the routes; later features add theirs here. */
export interface Services {
  accounts: AccountService;
  contacts: ContactService;
  groups: GroupService;
  messaging: MessagingService;
  media: MediaService;
  profiles: ProfileService;
  search: SearchService;
  invites: InviteService;
  lastSeen: LastSeenService;
  push: PushService;
  deletion: AccountDeletion;
  exports: AccountExport;
  twoFactor: TwoFactorService;
  recovery: AccountRecovery;
  email: AccountEmail;
}

export interface ReadyCheck {
  ok: boolean;
  checks: Record<string, { ok: boolean; error?: string }>;
}

/** What the HTTP layer receives from the composition root. */
export interface HttpContext {
  services: Services;
  config: Config;
  metrics: Metrics;
  ready(): Promise<ReadyCheck>;
}
