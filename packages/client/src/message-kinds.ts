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

/** Kinds that change an earlier message (named by the entry's `target`) instead of adding one. */
export const AMEND_KINDS = ['recall', 'edit'] as const;

/** Every kind the server writes: messages, amendments, and `system` notes about the conversation. */
export const ENTRY_KINDS = [...MESSAGE_KINDS, ...AMEND_KINDS, 'system'] as const;

export type MessageKind = (typeof MESSAGE_KINDS)[number];
export type AmendKind = (typeof AMEND_KINDS)[number];
export type EntryKind = (typeof ENTRY_KINDS)[number];

const MESSAGE = new Set<string>(MESSAGE_KINDS);
const AMEND = new Set<string>(AMEND_KINDS);

/** Content: a message (not an amendment or a system note), the kind that counts as unread and is notified. */
export function isMessageKind(kind: string): kind is MessageKind {
  return MESSAGE.has(kind);
}

/** A recall or edit: folded into its target, never shown as an entry of its own. */
export function isAmendKind(kind: string): kind is AmendKind {
  return AMEND.has(kind);
}
