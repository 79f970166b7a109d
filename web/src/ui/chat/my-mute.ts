import { useEffect, useState } from 'preact/hooks';
import type { Entry } from '../../api/types.js';

/**
 * Until when I am muted in a group (epoch ms), or undefined. The newest `muted` system entry
 * naming me wins (it arrives live, `until` null when unmuted); without one the group as loaded
 * says (`mutedUntil` of my membership). Re-renders when the mute runs out.
 */
export function useMyMute(entries: Entry[], me: string, loaded: number | null | undefined): number | undefined {
  let until = loaded ?? null;
  for (let i = entries.length - 1; i >= 0; i--) {
    const s = entries[i]!.system;
    if (entries[i]!.kind === 'system' && s?.action === 'muted' && s.users?.includes(me)) {
      until = typeof s.until === 'number' ? s.until : null;
      break;
    }
  }
  const [, tick] = useState(0);
  const left = until === null ? 0 : until - Date.now();
  useEffect(() => {
    if (left <= 0) return;
    // Timers take at most 2^31-1 ms; a longer mute simply re-checks then.
    const t = setTimeout(() => tick((n) => n + 1), Math.min(left + 50, 2_147_483_647));
    return () => clearTimeout(t);
  }, [until]);
  return left > 0 ? (until as number) : undefined;
}
