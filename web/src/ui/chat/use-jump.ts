import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { conversations as convApi } from '../../api/endpoints.js';
import { humanReason } from '../../api/error-text.js';
import { app, markComplete, receiveEntries } from '../../state/app.js';
import { jump, jumpDone } from '../../state/jump.js';
import { useStore } from '../../state/store.js';
import type { Timeline } from '../../state/timeline.js';
import { toast } from '../common/widgets.js';

/** History pages fetched while jumping: the shown history is one gap-free run up to the newest entry. */
const PAGE = 200;
/** How far back a jump loads (pages); a hit older than that says so instead of loading on. */
const MAX_PAGES = 50;

/**
 * Serves a {@link jump} request for this conversation (a search hit, the pinned bar, a tap on a
 * quoted reply): loads history back to the requested seq (the page around it included), then
 * scrolls that message into view and highlights it.
 */
export function useJumpTo(
  cid: string,
  tl: Timeline,
  scroller: RefObject<HTMLDivElement | null>,
  stick: { current: boolean },
) {
  const req = useStore(jump, (j) => (j?.cid === cid ? j : undefined));
  const busy = useRef(false);
  const pages = useRef(0);
  const [retry, setRetry] = useState(0);
  useEffect(() => {
    pages.current = 0;
  }, [req]);
  useEffect(() => {
    if (!req || busy.current) return;
    const minSeq = app.get().conversations[cid]?.minSeq ?? 1;
    // A few entries before the hit too, so it does not sit at the very top of what is loaded.
    const want = Math.max(minSeq, req.seq - 10);
    const reached = tl.complete || tl.oldest <= want;
    const el = scroller.current?.querySelector<HTMLElement>(`[data-seq="${req.seq}"]`);
    if (reached && el) {
      jumpDone(req);
      stick.current = false;
      el.scrollIntoView({ block: 'center' });
      el.classList.add('flash', 'jumped');
      setTimeout(() => el.classList.remove('flash', 'jumped'), 4000);
      return;
    }
    if (reached || pages.current >= MAX_PAGES) {
      jumpDone(req);
      if (!el) toast(reached ? 'That message is no longer available' : 'That message is too far back to show', 'error');
      return;
    }
    busy.current = true;
    pages.current++;
    convApi
      .history(cid, { before: Number.isFinite(tl.oldest) ? tl.oldest : undefined, limit: PAGE })
      .then(
        (items) => {
          if (items.length) receiveEntries(cid, items, { history: true });
          if (items.length < PAGE) markComplete(cid);
        },
        (e) => {
          jumpDone(req);
          toast(humanReason(e), 'error');
        },
      )
      .finally(() => {
        busy.current = false;
        setRetry((n) => n + 1);
      });
  }, [req, cid, tl, retry, scroller, stick]);
}
