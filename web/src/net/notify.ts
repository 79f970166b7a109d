import { isMessageKind } from '@parley/client';
import { groupOf } from '../api/conversation-ids.js';
import type { Entry } from '../api/types.js';
import { app } from '../state/app.js';
import { preview } from '../ui/chat/describe.js';

/** Desktop notifications for new messages while the tab is hidden, when the user allowed them. */
export function notificationsSupported(): boolean {
  return typeof Notification !== 'undefined';
}

export async function askNotificationPermission(): Promise<NotificationPermission> {
  if (!notificationsSupported()) return 'denied';
  return Notification.requestPermission();
}

export function notifyEntry(e: Entry) {
  if (!notificationsSupported() || Notification.permission !== 'granted' || !document.hidden) return;
  const s = app.get();
  if (!e.sender || e.sender === s.me?.id || !isMessageKind(e.kind)) return;
  const conv = s.conversations[e.conversation];
  if (conv?.muted && !e.mentions?.includes(s.me?.id ?? '')) return;
  const who = s.remarks[e.sender] || s.users[e.sender]?.nickname || 'New message';
  const groupId = groupOf(e.conversation);
  const group = groupId ? s.groups[groupId]?.name : undefined;
  const n = new Notification(group ? `${who} in ${group}` : who, {
    body: preview(e).slice(0, 140),
    tag: e.conversation,
    icon: '/favicon.svg',
  });
  n.onclick = () => {
    window.focus();
    history.pushState(null, '', `/chat/${encodeURIComponent(e.conversation)}`);
    dispatchEvent(new PopStateEvent('popstate'));
    n.close();
  };
}
