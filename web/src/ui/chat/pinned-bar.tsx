import { useEffect, useState } from 'preact/hooks';
import { type PinnedMessage, marks } from '../../api/marks.js';
import { IconPin } from '../icons.js';
import { preview } from './describe.js';

/**
 * The pinned bar under the chat header: the latest pinned message; a tap jumps to it and moves
 * the bar on to the next pin (round the list). `version` changes when a pin, unpin or recall
 * arrived, so the list is read again.
 */
export function PinnedBar({ cid, version, jumpTo }: { cid: string; version: string; jumpTo(seq: number): void }) {
  const [pins, setPins] = useState<PinnedMessage[]>([]);
  const [at, setAt] = useState(0);
  useEffect(() => {
    let live = true;
    marks.pins(cid).then(
      (list) => {
        if (!live) return;
        setPins(list);
        setAt(0);
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [cid, version]);
  if (pins.length === 0) return null;
  const p = pins[at % pins.length]!;
  return (
    <button
      type="button"
      class="pinned-bar"
      data-testid="pinned-bar"
      aria-label={`Pinned message${pins.length > 1 ? ` ${(at % pins.length) + 1} of ${pins.length}` : ''}: ${preview(p.entry)}`}
      onClick={() => {
        jumpTo(p.seq);
        setAt((i) => (i + 1) % pins.length);
      }}
    >
      <IconPin size={16} />
      <span class="pinned-label">{pins.length > 1 ? `Pinned ${(at % pins.length) + 1}/${pins.length}` : 'Pinned'}</span>
      <span class="pinned-text">{preview(p.entry)}</span>
    </button>
  );
}
