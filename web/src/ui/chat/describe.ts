import type { Entry, UserBrief } from '../../api/types.js';

/** One line describing an entry, for the conversation list, replies and notifications. */
export function preview(e: Entry | undefined): string {
  if (!e) return '';
  if (e.recalled) return 'Message recalled';
  switch (e.kind) {
    case 'text':
      return e.text ?? '';
    case 'image':
      return 'Photo';
    case 'voice':
      return 'Voice message';
    case 'video':
      return 'Video';
    case 'file':
      return `File: ${e.media?.name ?? 'attachment'}`;
    case 'sticker':
      return 'Sticker';
    case 'link':
      return String(e.data?.url ?? e.text ?? 'Link');
    case 'contact':
      return 'Contact card';
    case 'system':
      return systemText(e, () => undefined);
    default:
      return e.text ?? 'Message';
  }
}

/** What a system entry says, e.g. "Ann added Bob". */
export function systemText(e: Entry, user: (id: string) => UserBrief | undefined): string {
  const s = e.system ?? { action: 'unknown' };
  const name = (id?: string) => (id ? user(id)?.nickname || 'Someone' : 'Someone');
  const names = (ids?: string[]) => (ids ?? []).map((id) => name(id)).join(', ') || 'someone';
  switch (s.action) {
    case 'created':
      return `${name(s.actor)} created the group${s.name ? ` “${s.name}”` : ''}`;
    case 'joined':
      return `${names(s.users ?? (s.actor ? [s.actor] : []))} joined`;
    case 'added':
    case 'invited':
      return `${name(s.actor)} added ${names(s.users)}`;
    case 'left':
      return `${names(s.users ?? (s.actor ? [s.actor] : []))} left`;
    case 'removed':
    case 'kicked':
      return `${name(s.actor)} removed ${names(s.users)}`;
    case 'renamed':
      return `${name(s.actor)} renamed the group to “${s.name ?? ''}”`;
    case 'notice':
      return `${name(s.actor)} updated the group notice`;
    default:
      return s.action.replace(/[._]/g, ' ');
  }
}
