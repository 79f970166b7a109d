import { fail } from './errors.js';

/**
 * Reactions and pins: the bounds and the emoji rule, shared by the service (which refuses early)
 * and the entry log (which re-checks inside the committing transaction).
 */

/** Distinct emoji one message may carry; a new one past this is TOO_MANY_REACTIONS. */
export const MAX_EMOJI_PER_MESSAGE = 20;
/** Pinned messages one conversation may hold; pinning past this is TOO_MANY_PINS. */
export const MAX_PINS_PER_CONVERSATION = 50;
/** UTF-16 units of one emoji: long enough for ZWJ families and flags with tags, short enough to index. */
export const MAX_EMOJI_LENGTH = 32;

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
// A pictograph, a regional-indicator pair (flag) or a keycap: what keyboards' emoji pickers insert.
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u;
// The joiners, variation selectors and tag characters emoji are built with (all format characters).
const EMOJI_GLUE = /[\u200D\uFE0F\u{E0020}-\u{E007F}]/gu;
// Letters, spaces and other control or format characters are not part of any emoji.
const NOT_EMOJI = /[\p{L}\p{Z}\p{C}]/u;

/** The emoji as given when it is exactly one emoji grapheme; VALIDATION_FAILED otherwise. */
export function checkEmoji(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_EMOJI_LENGTH)
    throw fail('VALIDATION_FAILED', `emoji must be one emoji (at most ${MAX_EMOJI_LENGTH} UTF-16 units)`);
  const graphemes = [...segmenter.segment(raw)];
  if (graphemes.length !== 1 || !EMOJI.test(raw) || NOT_EMOJI.test(raw.replace(EMOJI_GLUE, '')))
    throw fail('VALIDATION_FAILED', 'emoji must be exactly one emoji');
  return raw;
}
