import { useEffect, useState } from 'preact/hooks';
import { type Invite, inviteLink, invites as api } from '../../api/invites.js';
import { clock, dayLabel } from '../../format.js';
import { Field, toast, useAction } from '../common/widgets.js';

const EXPIRY: { label: string; seconds?: number }[] = [
  { label: 'Never' },
  { label: '1 hour', seconds: 3600 },
  { label: '1 day', seconds: 86_400 },
  { label: '7 days', seconds: 604_800 },
  { label: '30 days', seconds: 2_592_000 },
];

const STATUS: Record<Invite['status'], string> = {
  active: 'Active',
  revoked: 'Revoked',
  expired: 'Expired',
  used_up: 'Used up',
};

async function copy(text: string) {
  try {
    await navigator.clipboard.writeText(text);
    toast('Link copied');
  } catch {
    // No clipboard permission (plain http, say): the link stays on screen to copy by hand.
    toast('Copy the link from the box', 'error');
  }
}

function describe(i: Invite): string {
  const uses = i.maxUses === null ? `${i.uses} used` : `${i.uses} of ${i.maxUses} used`;
  const ends = i.expiresAt === null ? 'never expires' : `expires ${dayLabel(i.expiresAt)} ${clock(i.expiresAt)}`;
  return `${uses} · ${ends}`;
}

/**
 * A group's invite links, for its admins: make one (expiry, number of uses), copy it while it is
 * on screen (the server shows a code only once), see every link's status, revoke.
 */
export function InviteLinks({ groupId }: { groupId: string }) {
  const [list, setList] = useState<Invite[]>([]);
  const [expiry, setExpiry] = useState(0);
  const [uses, setUses] = useState('');
  const [fresh, setFresh] = useState<{ id: string; link: string }>();
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let live = true;
    api.list(groupId).then(
      (l) => live && setList(l),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [groupId, reload]);

  const [create, creating] = useAction(async () => {
    const n = Number.parseInt(uses, 10);
    const seconds = EXPIRY[expiry]?.seconds;
    const r = await api.create(groupId, {
      ...(seconds ? { expiresInSeconds: seconds } : {}),
      ...(n > 0 ? { maxUses: n } : {}),
    });
    setFresh({ id: r.invite.id, link: inviteLink(r.code) });
    setReload((x) => x + 1);
  });
  const [revoke] = useAction(async (i: Invite) => {
    if (!confirm('Revoke this link? Nobody can join with it any more.')) return;
    await api.revoke(groupId, i.id);
    if (fresh?.id === i.id) setFresh(undefined);
    toast('Link revoked');
    setReload((x) => x + 1);
  });

  return (
    <section class="card stack" aria-label="Invite links">
      <h3>Invite links</h3>
      <form
        class="stack"
        aria-label="New invite link"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <div class="row" style={{ flexWrap: 'wrap' }}>
          <Field label="Expires">
            <select
              aria-label="Link expires"
              value={String(expiry)}
              onChange={(e) => setExpiry(Number(e.currentTarget.value))}
            >
              {EXPIRY.map((x, i) => (
                <option key={x.label} value={String(i)}>
                  {x.label}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Uses" hint="Empty: any number">
            <input
              type="number"
              min={1}
              max={100000}
              inputMode="numeric"
              aria-label="Number of uses"
              value={uses}
              onInput={(e) => setUses(e.currentTarget.value)}
            />
          </Field>
        </div>
        <div class="row end">
          <button type="submit" class="btn primary" disabled={creating}>
            Create link
          </button>
        </div>
      </form>
      {fresh && (
        <div class="stack" data-testid="new-invite">
          <span class="muted">Copy it now: it is shown only this once.</span>
          <div class="row">
            <input readOnly value={fresh.link} aria-label="New invite link" onFocus={(e) => e.currentTarget.select()} />
            <button type="button" class="btn ghost small" onClick={() => void copy(fresh.link)}>
              Copy link
            </button>
          </div>
        </div>
      )}
      {list.length > 0 && (
        <ul class="people" aria-label="Links">
          {list.map((i) => (
            <li class="person" key={i.id} data-invite={i.id} data-status={i.status}>
              <div class="person-body">
                <strong>{STATUS[i.status]}</strong>
                <span class="muted">{describe(i)}</span>
              </div>
              {i.status === 'active' && (
                <button
                  type="button"
                  class="btn ghost small"
                  aria-label={`Revoke link made ${dayLabel(i.createdAt)} ${clock(i.createdAt)}`}
                  onClick={() => void revoke(i)}
                >
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
