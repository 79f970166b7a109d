import type { Entry, UserBrief } from '../../api/types.js';
import { UNTIL_UNMUTED } from '../groups/mute.js';

/** One line describing an entry, for the conversation list, replies and notifications. */
export function preview(
  e: Entry | undefined,
  user: (id: string) => UserBrief | undefined = () => undefined,
  me?: string,
): string {
  if (!e) return '';
  if (e.recalled) return 'Message recalled';
  switch (e.kind) {
    case 'text':
      return e.text ?? '';
    case 'image':
      return e.caption ? `Photo: ${e.caption}` : 'Photo';
    case 'voice':
      return 'Voice message';
    case 'video':
      return e.caption ? `Video: ${e.caption}` : 'Video';
    case 'file':
      return `File: ${e.media?.name ?? 'attachment'}`;
    case 'sticker':
      return 'Sticker';
    case 'link':
      return String(e.data?.url ?? e.text ?? 'Link');
    case 'contact':
      return 'Contact card';
    case 'system':
      return systemText(e, user, me);
    case 'pin':
    case 'unpin':
      return pinText(e, user, me);
    case 'react':
      return `${e.sender === me ? 'You' : (e.sender && user(e.sender)?.nickname) || 'Someone'} reacted ${e.emoji ?? ''}`;
    default:
      return e.text ?? 'Message';
  }
}

/** "Ann pinned a message", "You unpinned a message". */
export function pinText(e: Entry, user: (id: string) => UserBrief | undefined, me?: string): string {
  const who = e.sender === me ? 'You' : (e.sender && user(e.sender)?.nickname) || 'Someone';
  return `${who} ${e.kind === 'pin' ? 'pinned' : 'unpinned'} a message`;
}

const POLICY: Record<string, string> = {
  open: 'anyone can join',
  approval: 'joining needs approval',
  invite: 'members join by invitation only',
};

/** "Bob", "Bob and Cat", "Bob, Cat and Dan", "Bob, Cat, Dan and 51 others". */
export function nameList(names: string[], most = 3): string {
  if (names.length === 0) return 'someone';
  if (names.length === 1) return names[0]!;
  if (names.length > most + 1) return `${names.slice(0, most).join(', ')} and ${names.length - most} others`;
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * What a system entry says, as a sentence naming who did what to whom, e.g. "Ann made Bob an
 * admin". `me` turns the reader's own id into "You"/"you".
 */
export function systemText(e: Entry, user: (id: string) => UserBrief | undefined, me?: string): string {
  const s = e.system ?? { action: 'unknown' };
  const who = (id: string | undefined, start: boolean) =>
    id && id === me ? (start ? 'You' : 'you') : (id && user(id)?.nickname) || (start ? 'Someone' : 'someone');
  const actor = who(s.actor, true);
  const targets = (s.users ?? []).filter((u): u is string => typeof u === 'string');
  const them = nameList(targets.map((id) => who(id, false)));
  const subjects = (ids: string[]) => {
    const t = nameList(ids.map((id) => who(id, false)));
    return t.charAt(0).toUpperCase() + t.slice(1);
  };
  switch (s.action) {
    case 'created': {
      const made = `${actor} created the group${s.name ? ` “${s.name}”` : ''}`;
      return targets.length ? `${made} with ${them}` : made;
    }
    case 'joined': {
      const joiners = targets.length ? targets : s.actor ? [s.actor] : [];
      // An approved request: the actor is the admin who let them in.
      if (s.actor && joiners.length === 1 && joiners[0] !== s.actor)
        return `${actor} approved ${who(joiners[0], false)}’s request to join`;
      return `${subjects(joiners)} joined the group${s.via === 'invite' ? ' via invite link' : ''}`;
    }
    case 'added':
    case 'invited':
      return `${actor} added ${them}`;
    case 'left':
      return `${subjects(targets.length ? targets : s.actor ? [s.actor] : [])} left the group`;
    case 'removed':
    case 'kicked':
      return `${actor} removed ${them}`;
    case 'renamed':
      return `${actor} renamed the group to “${s.name ?? ''}”`;
    case 'notice':
    case 'updated': {
      const parts: string[] = [];
      if (typeof s.notice === 'string')
        parts.push(s.notice ? `changed the group notice to “${s.notice}”` : 'cleared the group notice');
      if (typeof s.joinPolicy === 'string') parts.push(`changed who can join: ${POLICY[s.joinPolicy] ?? s.joinPolicy}`);
      if (s.avatar !== undefined) parts.push(s.avatar ? 'changed the group picture' : 'removed the group picture');
      return `${actor} ${parts.length ? parts.join(' and ') : 'updated the group settings'}`;
    }
    case 'role':
      return s.role === 'admin' ? `${actor} made ${them} an admin` : `${actor} removed ${them} as admin`;
    case 'muted':
      return typeof s.until === 'number'
        ? `${actor} muted ${them} until ${untilText(s.until)}`
        : `${actor} unmuted ${them}`;
    case 'transferred':
      return `${actor} made ${them} the owner of the group`;
    case 'dissolved':
      return `${actor} dissolved the group`;
    default:
      return `${actor}: ${s.action.replace(/[._]/g, ' ')}`;
  }
}

const untilFmt = new Intl.DateTimeFormat(navigator.languages?.length ? [...navigator.languages] : undefined, {
  dateStyle: 'medium',
  timeStyle: 'short',
});
// A mute "until unmuted" carries the far-future UNTIL_UNMUTED (year 9999), not a date to print.
const untilText = (ts: number) => (ts >= UNTIL_UNMUTED ? 'further notice' : untilFmt.format(ts));

/** Whether the group behind this timeline or summary has been dissolved (its last word says so). */
export function isDissolved(last: Entry | undefined): boolean {
  return last?.kind === 'system' && last.system?.action === 'dissolved';
}
