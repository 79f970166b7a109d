/**
 * The one list of entry kinds. A new kind is added here and nowhere else: the wire schemas,
 * the send path, the store's unread count and the web client all read these lists, so a kind
 * cannot be accepted by one and forgotten by another.
 */

/** Kinds a client may send: content a person wrote or shared. Only these count as unread. */
export const MESSAGE_KINDS = [
  'text',
  'image',
  'voice',
  'video',
  'file',
  'sticker',
  'link',
  'contact',
  'custom',
] as const;

/** A reaction added to / removed from the target message (folded into it: its chips change). */
export const REACTION_KINDS = ['react', 'unreact'] as const;

/** Kinds that change an earlier message (named by the entry's `target`) instead of adding one. */
export const AMEND_KINDS = ['recall', 'edit', ...REACTION_KINDS] as const;

/** The target message was pinned / unpinned: shown as a timeline line ("Ann pinned a message"). */
export const PIN_KINDS = ['pin', 'unpin'] as const;

/** Every kind the server writes: messages, amendments, pins, and `system` notes about the conversation. */
export const ENTRY_KINDS = [...MESSAGE_KINDS, ...AMEND_KINDS, ...PIN_KINDS, 'system'] as const;

export type MessageKind = (typeof MESSAGE_KINDS)[number];
export type AmendKind = (typeof AMEND_KINDS)[number];
export type ReactionKind = (typeof REACTION_KINDS)[number];
export type PinKind = (typeof PIN_KINDS)[number];
export type EntryKind = (typeof ENTRY_KINDS)[number];

const MESSAGE = new Set<string>(MESSAGE_KINDS);
const AMEND = new Set<string>(AMEND_KINDS);

/** Content: a message (not an amendment or a system note), the kind that counts as unread and is notified. */
export function isMessageKind(kind: string): kind is MessageKind {
  return MESSAGE.has(kind);
}

/** A recall, edit or reaction change: folded into its target, never shown as an entry of its own. */
export function isAmendKind(kind: string): kind is AmendKind {
  return AMEND.has(kind);
}

const REACTION = new Set<string>(REACTION_KINDS);
const PIN = new Set<string>(PIN_KINDS);

/** `react`/`unreact`: the entry's `emoji` and `reactions` (the target's counts after it) apply to its target. */
export function isReactionKind(kind: string): kind is ReactionKind {
  return REACTION.has(kind);
}

/** `pin`/`unpin` of the entry's target. */
export function isPinKind(kind: string): kind is PinKind {
  return PIN.has(kind);
}
