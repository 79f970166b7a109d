import type { Config } from '../config.js';
import type { Metrics } from '../metrics.js';
import type { AccountService } from '../services/accounts.js';
import type { MessagingService } from '../services/messaging.js';

/** The services behind the routes; later features add theirs here. */
export interface Services {
  accounts: AccountService;
  messaging: MessagingService;
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
