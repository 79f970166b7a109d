/**
 * What to tell a person when the server refuses something: one plain sentence per error code.
 * Server messages are written for developers ("Not a conversation id: …") and are never shown
 * as they are; a code this table does not know gets a generic sentence.
 */
const REASONS: Record<string, string> = {
  NETWORK: 'No connection to the server. Check your network and try again.',
  CLOSED: 'The connection closed before the message was delivered.',
  VALIDATION_FAILED: 'This chat does not exist or the message is not valid.',
  BAD_REQUEST: 'This chat does not exist or the message is not valid.',
  CONVERSATION_NOT_FOUND: 'This chat no longer exists.',
  GROUP_NOT_FOUND: 'This group no longer exists.',
  MESSAGE_NOT_FOUND: 'That message no longer exists.',
  MEDIA_NOT_FOUND: 'The attachment is gone. Attach it again.',
  NOT_A_MEMBER: 'You are not a member of this group.',
  NOT_FRIENDS: 'You can only message friends. Send a friend request first.',
  BLOCKED: 'This person is not accepting messages from you.',
  MUTED: 'An admin has muted you in this group for now.',
  FORBIDDEN: 'You are not allowed to do that here.',
  ROLE_REQUIRED: 'Only the group’s admins can do that.',
  RECALL_WINDOW_PASSED: 'It is too late to change this message.',
  RATE_LIMITED: 'You are sending too fast. Wait a moment and try again.',
  PAYLOAD_TOO_LARGE: 'The file is too large.',
  QUOTA_EXCEEDED: 'Your storage is full. Delete some files and try again.',
  IMAGE_TOO_LARGE: 'The picture is too large.',
  UNSUPPORTED_MEDIA_TYPE: 'This kind of file cannot be sent.',
  MEDIA_UNREADABLE: 'The file could not be read. It may be damaged.',
  EMPTY_FILE: 'The file is empty.',
  UNAVAILABLE: 'The server is busy. Try again in a moment.',
  INTERNAL: 'Something went wrong on the server. Try again.',
  UNAUTHENTICATED: 'You are signed out. Sign in again.',
};

/** A sentence for a person, from anything a request or a send may throw. */
export function humanReason(e: unknown): string {
  const code = e && typeof e === 'object' && 'code' in e ? String((e as { code: unknown }).code) : '';
  return REASONS[code] ?? 'Something went wrong. Try again.';
}
