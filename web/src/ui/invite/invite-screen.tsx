import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api/http.js';
import { type InvitePreview, inviteCodeOf, invites as api } from '../../api/invites.js';
import { plural } from '../../format.js';
import { navigate } from '../../router.js';
import { bumpSocial } from '../../state/app.js';
import { Avatar } from '../common/avatar.js';
import { Modal, toast } from '../common/widgets.js';

const KEY = 'parley.invite';

/** What a refused invite code means, for a person. */
const REFUSED: Record<string, string> = {
  INVITE_NOT_FOUND: 'This invite link is not valid. Check that you copied all of it.',
  INVITE_REVOKED: 'This invite link was revoked. Ask the group’s admins for a new one.',
  INVITE_EXPIRED: 'This invite link has expired. Ask the group’s admins for a new one.',
  INVITE_USED_UP: 'This invite link has been used as many times as it allows.',
  GROUP_FULL: 'This group is full.',
  REQUEST_PENDING: 'You already asked to join this group; the admins will answer.',
  RATE_LIMITED: 'Too many invite links tried. Wait a minute and try again.',
};
const refusal = (e: unknown) =>
  (e instanceof ApiError && REFUSED[e.code]) || 'This invite link cannot be opened right now. Try again.';

/**
 * The invite code of a `#/invite/<code>` link the app was opened with (or that was pasted
 * later): kept in session storage across signing in, and taken off the address bar at once so it
 * does not stay in the history or get shared by accident.
 */
export function usePendingInvite(): [string | undefined, () => void] {
  const take = () => {
    const code = inviteCodeOf(location.hash);
    if (code) {
      sessionStorage.setItem(KEY, code);
      history.replaceState(null, '', location.pathname + location.search);
    }
    return code ?? sessionStorage.getItem(KEY) ?? undefined;
  };
  const [code, setCode] = useState(take);
  useEffect(() => {
    const onHash = () => setCode(take());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const clear = () => {
    sessionStorage.removeItem(KEY);
    setCode(undefined);
  };
  return [code, clear];
}

/** The invite landing: the group's card and one button (join, ask to join, or open), or why not. */
export function InviteScreen({ code, onClose }: { code: string; onClose: () => void }) {
  const [preview, setPreview] = useState<InvitePreview>();
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    api.preview(code).then(
      (p) => live && setPreview(p),
      (e) => live && setError(refusal(e)),
    );
    return () => {
      live = false;
    };
  }, [code]);

  const open = (groupId: string) => {
    onClose();
    navigate({ name: 'chats', cid: `g:${groupId}` });
  };
  const join = async () => {
    setBusy(true);
    try {
      const r = await api.join(code);
      bumpSocial();
      if (r.status === 'joined') {
        toast(`You joined ${r.group.name}`);
        open(r.group.id);
      } else setPending(true);
    } catch (e) {
      setError(refusal(e));
    } finally {
      setBusy(false);
    }
  };

  const g = preview?.group;
  return (
    <Modal title="Group invite" onClose={onClose}>
      {error ? (
        <div class="stack" role="alert" data-testid="invite-error">
          <p>{error}</p>
          <div class="row end">
            <button type="button" class="btn ghost" onClick={onClose}>
              Close
            </button>
          </div>
        </div>
      ) : !g ? (
        <div class="center">
          <span class="spinner" role="status" aria-label="Loading" />
        </div>
      ) : (
        <div class="stack" data-testid="invite-card" data-group-id={g.id}>
          <div class="row">
            <Avatar id={g.id} name={g.name} media={g.avatar} size={56} square />
            <div class="stack">
              <h3>{g.name}</h3>
              <span class="muted">{plural(g.memberCount, 'member')}</span>
            </div>
          </div>
          {g.notice && <div class="notice-card">{g.notice}</div>}
          {pending ? (
            <p role="status">Request sent. You will be told when an admin answers.</p>
          ) : preview.member ? (
            <div class="row end">
              <span class="muted">You are a member already.</span>
              <button type="button" class="btn primary" onClick={() => open(g.id)}>
                Open chat
              </button>
            </div>
          ) : (
            <div class="row end">
              <button type="button" class="btn primary" disabled={busy} onClick={() => void join()}>
                {g.joinPolicy === 'approval' ? 'Request to join' : 'Join group'}
              </button>
            </div>
          )}
        </div>
      )}
    </Modal>
  );
}
