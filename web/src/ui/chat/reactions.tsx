import { useEffect, useState } from 'preact/hooks';
import { humanReason } from '../../api/error-text.js';
import { type Reactor, marks } from '../../api/marks.js';
import type { Entry } from '../../api/types.js';
import { Avatar } from '../common/avatar.js';
import { Modal, toast } from '../common/widgets.js';
import { IconSmile } from '../icons.js';

/** The few emoji the picker always offers; the ones already on the message come first. */
export const QUICK_EMOJI = ['👍', '❤️', '😂', '😮', '😢', '🙏', '🎉', '🔥'];

/** Chips under a bubble: one per emoji with its count, pressed when I reacted; a tap toggles mine. */
export function ReactionChips({
  e,
  onToggle,
  onWho,
}: {
  e: Entry;
  onToggle(emoji: string, remove: boolean): void;
  onWho(): void;
}) {
  const list = e.reactions ?? [];
  if (list.length === 0) return null;
  return (
    // biome-ignore lint/a11y/useSemanticElements: a row of toggle chips under a bubble, not a form field set.
    <div class="reactions" role="group" aria-label="Reactions">
      {list.map((r) => (
        <button
          type="button"
          key={r.emoji}
          class={`reaction-chip${r.me ? ' me' : ''}`}
          aria-pressed={!!r.me}
          aria-label={`${r.emoji} ${r.count}${r.me ? ', including you' : ''}`}
          data-emoji={r.emoji}
          onClick={() => onToggle(r.emoji, !!r.me)}
        >
          <span class="reaction-emoji">{r.emoji}</span>
          <span class="reaction-count">{r.count}</span>
        </button>
      ))}
      <button type="button" class="link-btn reaction-who" onClick={onWho} aria-label="Who reacted">
        Who?
      </button>
    </div>
  );
}

/** The "React" action: opens a small picker (common emoji plus the ones present). */
export function ReactButton({ e, onPick }: { e: Entry; onPick(emoji: string, remove: boolean): void }) {
  const [open, setOpen] = useState(false);
  const present = (e.reactions ?? []).map((r) => r.emoji);
  const offered = [...new Set([...present, ...QUICK_EMOJI])];
  const mine = new Set((e.reactions ?? []).filter((r) => r.me).map((r) => r.emoji));
  return (
    <span class="react-wrap">
      <button
        type="button"
        class="icon-btn"
        aria-label="React"
        title="React"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        <IconSmile size={16} />
      </button>
      {open && (
        <div class="reaction-picker" role="menu" aria-label="Pick a reaction">
          {offered.map((emoji) => (
            <button
              type="button"
              role="menuitem"
              key={emoji}
              class={mine.has(emoji) ? 'me' : ''}
              aria-label={`React with ${emoji}`}
              onClick={() => {
                setOpen(false);
                onPick(emoji, mine.has(emoji));
              }}
            >
              {emoji}
            </button>
          ))}
        </div>
      )}
    </span>
  );
}

/** The paged list of who reacted to a message, with which emoji. */
export function WhoReacted({ cid, seq, onClose }: { cid: string; seq: number; onClose(): void }) {
  const [items, setItems] = useState<Reactor[]>([]);
  const [next, setNext] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const load = (after?: string) => {
    setLoading(true);
    marks
      .reactors(cid, seq, after)
      .then((page) => {
        setItems((old) => (after ? [...old, ...page.items] : page.items));
        setNext(page.next);
      })
      .catch((err) => toast(humanReason(err), 'error'))
      .finally(() => setLoading(false));
  };
  useEffect(() => load(), [cid, seq]);
  return (
    <Modal title="Reactions" onClose={onClose}>
      <ul class="reactor-list" aria-label="Who reacted">
        {items.map((r) => (
          <li key={`${r.user.id}-${r.emoji}`} class="reactor">
            <Avatar id={r.user.id} name={r.user.nickname} media={r.user.avatar} size={32} />
            <span class="reactor-name">{r.user.nickname}</span>
            <span class="reactor-emoji">{r.emoji}</span>
          </li>
        ))}
      </ul>
      {loading && <span class="spinner small" role="status" aria-label="Loading reactions" />}
      {next && !loading && (
        <button type="button" class="btn ghost" onClick={() => load(next)}>
          Show more
        </button>
      )}
    </Modal>
  );
}
