/**
 * "Until unmuted" is a mute with no end the server needs to know of: the last millisecond of
 * the year 9999 (the server takes any future epoch ms; this one every dialect stores and every
 * date formatter prints).
 */
export const UNTIL_UNMUTED = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const HOUR = 3_600_000;
/** The lengths an admin picks from, as the menu names them. */
export const MUTE_CHOICES: { label: string; ms?: number }[] = [
  { label: 'Mute for 1 hour', ms: HOUR },
  { label: 'Mute for 8 hours', ms: 8 * HOUR },
  { label: 'Mute for 1 day', ms: 24 * HOUR },
  { label: 'Mute until unmuted' },
];

/** The epoch ms a choice mutes until, counted from now. */
export const muteEnd = (ms: number | undefined, now = Date.now()) => (ms === undefined ? UNTIL_UNMUTED : now + ms);

export const isMuted = (until: number | null | undefined, now = Date.now()) => until != null && until > now;

const fmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "until 1 Dec 2026, 23:40", or "until an admin unmutes them" for a mute with no end. */
export function untilPhrase(until: number, whom: 'you' | 'them' = 'them'): string {
  if (until >= UNTIL_UNMUTED) return `until an admin unmutes ${whom}`;
  return `until ${fmt.format(until)}`;
}
