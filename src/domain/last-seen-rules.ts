/**
 * Who may see a user's last seen time. Pure, so the presence announcement, the contacts list and
 * the user view decide alike.
 *
 * - `everyone`: anyone signed in; `contacts`: their contacts; `nobody`: no one.
 * - Reciprocity (as WhatsApp does): a viewer whose own setting is `nobody` sees nobody's.
 * - A block means silence, either way round: neither sees the other's.
 * - A user always sees their own.
 * The default is `contacts`: presence itself only ever goes to contacts, so a stranger learns
 * nothing of when someone is around unless they chose `everyone`.
 */
export const LAST_SEEN_PRIVACY = ['everyone', 'contacts', 'nobody'] as const;
export type LastSeenPrivacy = (typeof LAST_SEEN_PRIVACY)[number];
export const DEFAULT_LAST_SEEN: LastSeenPrivacy = 'contacts';

export interface LastSeenFacts {
  self: boolean;
  subject: LastSeenPrivacy;
  viewer: LastSeenPrivacy;
  /** The two are contacts. */
  contacts: boolean;
  /** A block either way. */
  blocked: boolean;
}

export function maySeeLastSeen(f: LastSeenFacts): boolean {
  if (f.self) return true;
  if (f.blocked || f.viewer === 'nobody') return false;
  if (f.subject === 'everyone') return true;
  return f.subject === 'contacts' && f.contacts;
}
