import type { Member } from '../../api/types.js';
import { MUTE_CHOICES, isMuted, muteEnd } from './mute.js';

/**
 * The mute entries of a member's menu (admins): a length to mute for, or Unmute while muted.
 * `set` runs the PATCH of the member's `mutedUntil` (null unmutes).
 */
export function MuteItems({ m, set }: { m: Member; set: (until: number | null, done: string) => void }) {
  if (isMuted(m.mutedUntil))
    return (
      <button type="button" onClick={() => set(null, `${m.user.nickname} can send messages again`)}>
        Unmute
      </button>
    );
  return (
    <>
      {MUTE_CHOICES.map((c) => (
        <button key={c.label} type="button" onClick={() => set(muteEnd(c.ms), `${m.user.nickname} is muted`)}>
          {c.label}
        </button>
      ))}
    </>
  );
}
