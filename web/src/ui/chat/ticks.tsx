import { useEffect, useState } from 'preact/hooks';
import { humanReason } from '../../api/error-text.js';
import { receipts } from '../../api/receipts-api.js';
import type { PublicUser } from '../../api/types.js';
import { app, rememberUsers } from '../../state/app.js';
import { useStore } from '../../state/store.js';
import { Avatar } from '../common/avatar.js';
import { Modal } from '../common/widgets.js';
import { IconCheck, IconCheckAll } from '../icons.js';

export type TickState = 'sent' | 'delivered' | 'read';

const LABEL: Record<TickState, string> = { sent: 'Sent', delivered: 'Delivered', read: 'Read' };

/** The status of one of my direct-chat messages: one tick sent, two delivered, two coloured read. */
export function Ticks({ state }: { state: TickState }) {
  return (
    <span
      class={`ticks${state === 'read' ? ' read' : ''}`}
      title={LABEL[state]}
      role="img"
      aria-label={LABEL[state]}
      data-receipt={state}
    >
      {state === 'sent' ? <IconCheck size={15} /> : <IconCheckAll size={15} />}
    </span>
  );
}

/** Where my message `seq` stands with the peer of direct chat `cid` (a read implies delivery). */
export function useTickState(cid: string): (seq: number) => TickState {
  const read = useStore(app, (s) => Math.max(s.peerRead[cid] ?? 0, s.conversations[cid]?.peerReadSeq ?? 0));
  const delivered = useStore(app, (s) =>
    Math.max(s.peerDelivered[cid] ?? 0, s.conversations[cid]?.peerDeliveredSeq ?? 0),
  );
  return (seq) => (read >= seq ? 'read' : delivered >= seq ? 'delivered' : 'sent');
}

/** How often the open group's "seen by" counts are asked again. */
const SEEN_REFRESH_MS = 15_000;

/**
 * "Seen by N" counts of my messages among `seqs` in group `cid`, asked when the list changes
 * and every {@link SEEN_REFRESH_MS} while the chat is open.
 */
export function useSeenCounts(cid: string, seqs: number[], enabled: boolean): Record<number, number> {
  const [counts, setCounts] = useState<Record<number, number>>({});
  const key = seqs.slice(-100).join(',');
  useEffect(() => {
    if (!enabled || !key) return;
    let live = true;
    const load = () =>
      receipts.seenCounts(cid, key.split(',').map(Number)).then(
        (items) => live && setCounts(Object.fromEntries(items.map((i) => [i.seq, i.count]))),
        () => {},
      );
    void load();
    const t = setInterval(load, SEEN_REFRESH_MS);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [cid, key, enabled]);
  return counts;
}

/** "Seen by N" under my group message; opens the list of who saw it. */
export function SeenBy({ cid, seq, count }: { cid: string; seq: number; count: number }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        class="seen-by"
        onClick={() => setOpen(true)}
        aria-label={`Seen by ${count}: show who`}
        data-seen={count}
      >
        Seen by {count}
      </button>
      {open && <SeenList cid={cid} seq={seq} onClose={() => setOpen(false)} />}
    </>
  );
}

/** The paged list of members who saw a message, 50 at a time. */
function SeenList({ cid, seq, onClose }: { cid: string; seq: number; onClose: () => void }) {
  const [items, setItems] = useState<PublicUser[]>([]);
  const [count, setCount] = useState<number | undefined>();
  const [next, setNext] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const load = async (after?: string) => {
    setBusy(true);
    try {
      const page = await receipts.seenBy(cid, seq, after);
      rememberUsers(page.items);
      setItems((xs) => (after ? [...xs, ...page.items] : page.items));
      setCount(page.count);
      setNext(page.next);
    } catch (e) {
      setError(humanReason(e));
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    void load();
  }, [cid, seq]);
  return (
    <Modal title="Seen by" onClose={onClose}>
      {count !== undefined && <p class="muted">{count === 1 ? '1 member saw this' : `${count} members saw this`}</p>}
      {error && <p class="form-error">{error}</p>}
      <ul class="seen-list" aria-label="Members who saw this message">
        {items.map((u) => (
          <li key={u.id} class="seen-item">
            <Avatar id={u.id} name={u.nickname} media={u.avatar} size={28} />
            <span class="seen-name">{u.nickname}</span>
          </li>
        ))}
      </ul>
      {next && (
        <button type="button" class="btn ghost" disabled={busy} onClick={() => load(next)}>
          Show more
        </button>
      )}
    </Modal>
  );
}
