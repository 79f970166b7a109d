/** Display helpers: times, days, sizes, durations. */

/**
 * The user's locales, in the order the browser prefers them: times and dates read as the user
 * expects (24-hour "15:04" in de-DE, "3:04 PM" in en-US), whatever language the UI text is in.
 */
const locales: string[] | undefined =
  typeof navigator !== 'undefined' && navigator.languages?.length ? [...navigator.languages] : undefined;
// The locale's own short time ("3:04 PM", "15:04"); fixed 2-digit hours would force "03:04 PM".
const time = new Intl.DateTimeFormat(locales, { timeStyle: 'short' });
const weekday = new Intl.DateTimeFormat(locales, { weekday: 'short' });
const date = new Intl.DateTimeFormat(locales, { day: 'numeric', month: 'short' });
const relativeDay = new Intl.RelativeTimeFormat(locales, { numeric: 'auto' });
const longDate = new Intl.DateTimeFormat(locales, {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

export const clock = (ts: number) => time.format(ts);

const plurals = new Intl.PluralRules('en');
/** "1 member", "55 members": the count and the noun, agreeing. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${plurals.select(n) === 'one' ? one : many}`;
}

/** "today" → "Today", "heute" → "Heute": a separator starts like a sentence. */
function capitalised(s: string): string {
  return s ? s[0]!.toLocaleUpperCase(locales) + s.slice(1) : s;
}

export function dayKey(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/** "Today", "Yesterday" or the full date, for day separators. */
export function dayLabel(ts: number, now = Date.now()): string {
  if (dayKey(ts) === dayKey(now)) return capitalised(relativeDay.format(0, 'day'));
  if (dayKey(ts) === dayKey(now - 86_400_000)) return capitalised(relativeDay.format(-1, 'day'));
  return longDate.format(ts);
}

/** Short stamp for lists: time today, weekday this week, else the date. */
export function listStamp(ts: number, now = Date.now()): string {
  if (dayKey(ts) === dayKey(now)) return time.format(ts);
  if (now - ts < 6 * 86_400_000) return weekday.format(ts);
  return date.format(ts);
}

export function fileSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Time first, then random (see `newClientId` in @parley/client: cheaper for the server's dedup index). */
export { newClientId } from '@parley/client';
