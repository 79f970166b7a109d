import { useState } from 'preact/hooks';
import type { Group } from '../../api/types.js';

/** The server's bound on a join request's message. */
const MESSAGE_LIMIT = 512;

/**
 * Asking to join a group that approves its members: an optional message for the admins, who
 * read it in the group's join requests.
 */
export function JoinRequestForm({
  group,
  busy,
  onSend,
  onCancel,
}: {
  group: Group;
  busy?: boolean;
  onSend: (message: string) => void;
  onCancel: () => void;
}) {
  const [message, setMessage] = useState('');
  return (
    <form
      class="stack join-request"
      aria-label={`Ask to join ${group.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        onSend(message.trim());
      }}
    >
      <textarea
        rows={3}
        value={message}
        maxLength={MESSAGE_LIMIT}
        placeholder="Say who you are (optional)"
        aria-label="Message to the admins"
        onInput={(e) => setMessage(e.currentTarget.value)}
      />
      <div class="row end">
        <button type="button" class="btn ghost small" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" class="btn primary small" disabled={busy}>
          Send request
        </button>
      </div>
    </form>
  );
}
