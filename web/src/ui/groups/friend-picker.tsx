import { useEffect, useState } from 'preact/hooks';
import { contacts as contactsApi } from '../../api/endpoints.js';
import type { Contact } from '../../api/types.js';
import { Avatar } from '../common/avatar.js';

/** Friends shown per page of the picker; "Show more" adds the next page. */
const PAGE = 50;
/** A group is created with at most this many people added (the server's bound on `userIds`). */
export const PICK_LIMIT = 100;

/**
 * Picks friends to add to a new group: every friend is loaded (all REST pages), searched by
 * nickname, username or remark, and shown a page at a time, so lists past 50 are reachable.
 */
export function FriendPicker({ picked, onChange }: { picked: Set<string>; onChange: (s: Set<string>) => void }) {
  const [friends, setFriends] = useState<Contact[]>();
  const [q, setQ] = useState('');
  const [shown, setShown] = useState(PAGE);
  useEffect(() => {
    contactsApi.list().then(setFriends, () => setFriends([]));
  }, []);
  const needle = q.trim().toLowerCase();
  const matches = (friends ?? []).filter(
    (f) =>
      !needle ||
      f.user.nickname.toLowerCase().includes(needle) ||
      f.user.username.toLowerCase().includes(needle) ||
      (f.remark ?? '').toLowerCase().includes(needle),
  );
  const full = picked.size >= PICK_LIMIT;
  return (
    <fieldset class="friend-picker">
      <legend>
        Add friends <span class="muted">({picked.size} picked)</span>
      </legend>
      <input
        type="search"
        placeholder="Search friends"
        aria-label="Search friends"
        value={q}
        onInput={(e) => {
          setQ(e.currentTarget.value);
          setShown(PAGE);
        }}
      />
      {!friends && <span class="spinner small" role="status" aria-label="Loading friends" />}
      {friends && matches.length === 0 && (
        <p class="muted">{friends.length ? 'No friend matches.' : 'Add friends first to bring them in.'}</p>
      )}
      <ul class="people picker-list" aria-label="Friends">
        {matches.slice(0, shown).map((f) => (
          <li class="person" key={f.user.id} data-friend={f.user.username}>
            <label class="check-row">
              <input
                type="checkbox"
                checked={picked.has(f.user.id)}
                disabled={full && !picked.has(f.user.id)}
                aria-label={`Add ${f.remark || f.user.nickname}`}
                onChange={(e) => {
                  const s = new Set(picked);
                  if (e.currentTarget.checked) s.add(f.user.id);
                  else s.delete(f.user.id);
                  onChange(s);
                }}
              />
              <Avatar id={f.user.id} name={f.user.nickname} media={f.user.avatar} size={32} />
              <span>{f.remark || f.user.nickname}</span>
              <span class="muted">@{f.user.username}</span>
            </label>
          </li>
        ))}
      </ul>
      {matches.length > shown && (
        <button type="button" class="btn ghost small" onClick={() => setShown(shown + PAGE)}>
          Show more ({matches.length - shown} more)
        </button>
      )}
      {full && <p class="muted">At most {PICK_LIMIT} people can be added at creation.</p>}
    </fieldset>
  );
}
