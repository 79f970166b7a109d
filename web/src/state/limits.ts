import { useEffect, useState } from 'preact/hooks';
import { me } from '../api/endpoints.js';
import { Store, useStore } from './store.js';

/** The server's rules for my actions (GET /me/limits); unknown until loaded. */
const limits = new Store<{ recallWindowMs?: number }>({});
let asked = false;

function load() {
  if (asked) return;
  asked = true;
  // A failure leaves the window unknown (the client offers, the server decides); ask again later.
  me.limits().then(
    (l) => limits.set(l),
    () => {
      asked = false;
    },
  );
}

/** How long a sender may recall or edit a message, once known. */
export function useRecallWindow(): number | undefined {
  useEffect(load, []);
  return useStore(limits, (s) => s.recallWindowMs);
}

/** The current time, re-read every `ms` (for affordances that expire). */
export function useNow(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
