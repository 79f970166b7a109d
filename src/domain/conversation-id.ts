import { fail } from './errors.js';
import { isId } from './id-format.js';

/** A conversation is either a direct chat between two users or a group. */
export type ConversationRef =
  | { kind: 'dm'; id: string; users: [string, string] }
  | { kind: 'group'; id: string; groupId: string };

/** `dm:<a>:<b>` with the two user ids sorted, so both sides name it the same way. */
export function dmId(a: string, b: string): string {
  return a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`;
}

export function groupConversationId(groupId: string): string {
  return `g:${groupId}`;
}

/** Reads a conversation id; undefined for anything malformed (the web client's form). */
export function readConversationId(cid: string): ConversationRef | undefined {
  const parts = cid.split(':');
  if (parts[0] === 'dm' && parts.length === 3) {
    const [, a, b] = parts as [string, string, string];
    if (isId(a) && isId(b) && a < b) return { kind: 'dm', id: cid, users: [a, b] };
  } else if (parts[0] === 'g' && parts.length === 2 && isId(parts[1]!)) {
    return { kind: 'group', id: cid, groupId: parts[1]! };
  }
  return undefined;
}

/** Parses a conversation id, refusing anything malformed with `VALIDATION_FAILED`. */
export function parseConversationId(cid: string): ConversationRef {
  const ref = readConversationId(cid);
  if (!ref) throw fail('VALIDATION_FAILED', `Not a conversation id: ${cid.slice(0, 80)}`);
  return ref;
}

/** The other user of a direct conversation, or undefined if `me` is not in it. */
export function dmPeer(ref: ConversationRef, me: string): string | undefined {
  if (ref.kind !== 'dm') return undefined;
  if (ref.users[0] === me) return ref.users[1];
  if (ref.users[1] === me) return ref.users[0];
  return undefined;
}
