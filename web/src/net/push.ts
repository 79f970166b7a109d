import { api } from '../api/http.js';
import type { components } from '../api/openapi.js';

type Subscription = components['schemas']['PushSubscription'];

/** Where this browser's server-side subscription id is kept (one per session and browser). */
const KEY = 'parley.push';

/** What the Notifications setting shows. */
export type PushState =
  | { status: 'unsupported'; why: string }
  | { status: 'blocked' }
  | { status: 'off' }
  | { status: 'on'; hideText: boolean };

/** Web Push needs a service worker, the Push API and a secure context (https or 127.0.0.1). */
export function pushSupport(): string | undefined {
  if (!window.isSecureContext) return 'Notifications need a secure (https) connection.';
  if (!('serviceWorker' in navigator)) return 'This browser has no service workers.';
  if (!('PushManager' in window)) return 'This browser does not support push notifications.';
  if (typeof Notification === 'undefined') return 'This browser does not show notifications.';
  return undefined;
}

function stored(): { id: string; hideText: boolean } | undefined {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    return v && typeof v.id === 'string' ? { id: v.id, hideText: v.hideText === true } : undefined;
  } catch {
    return undefined;
  }
}

/** The service worker, registered once at the app's root scope; resolves when it is active. */
export async function registerWorker(): Promise<ServiceWorkerRegistration> {
  await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  return navigator.serviceWorker.ready;
}

function keyBytes(b64url: string): Uint8Array<ArrayBuffer> {
  const b64 = b64url.replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** The setting's state: on only when this browser has a subscription the server knows. */
export async function pushState(): Promise<PushState> {
  const why = pushSupport();
  if (why) return { status: 'unsupported', why };
  if (Notification.permission === 'denied') return { status: 'blocked' };
  const mine = stored();
  const reg = await navigator.serviceWorker.getRegistration('/');
  const sub = await reg?.pushManager.getSubscription();
  if (!mine || !sub) return { status: 'off' };
  const list = await api<{ items: Subscription[] }>('GET', '/me/push-subscriptions').catch(() => undefined);
  const here = list?.items.find((s) => s.id === mine.id && s.current);
  return here ? { status: 'on', hideText: here.hideText } : { status: 'off' };
}

/**
 * Turns notifications on: permission, the service worker, a push subscription made with the
 * server's VAPID key, and its registration on the server. Throws an Error whose message says
 * plainly what failed (a browser with no reachable push service fails at the subscription).
 */
export async function enablePush(hideText: boolean): Promise<void> {
  const why = pushSupport();
  if (why) throw new Error(why);
  const perm = await Notification.requestPermission();
  if (perm !== 'granted') throw new Error('Notifications are blocked for this site in the browser settings.');
  const reg = await registerWorker();
  const { publicKey } = await api<{ publicKey: string }>('GET', '/push/vapid-key');
  let sub = await reg.pushManager.getSubscription();
  // A subscription made with another key (the server's keys changed) cannot be used.
  const key = sub?.options.applicationServerKey;
  if (sub && key && !sameBytes(new Uint8Array(key), keyBytes(publicKey))) {
    await sub.unsubscribe();
    sub = null;
  }
  try {
    sub ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
  } catch (e) {
    throw new Error(`This browser could not subscribe to push notifications: ${(e as Error).message || e}`);
  }
  const json = sub.toJSON() as { endpoint: string; keys: { p256dh: string; auth: string } };
  const saved = await api<Subscription>('POST', '/me/push-subscriptions', {
    body: { endpoint: json.endpoint, keys: json.keys, hideText },
  });
  localStorage.setItem(KEY, JSON.stringify({ id: saved.id, hideText }));
}

/** Turns notifications off for this browser: the server forgets it and the browser unsubscribes. */
export async function disablePush(): Promise<void> {
  const mine = stored();
  localStorage.removeItem(KEY);
  if (mine) await api('DELETE', `/me/push-subscriptions/${encodeURIComponent(mine.id)}`).catch(() => {});
  const reg = await navigator.serviceWorker?.getRegistration('/');
  await (await reg?.pushManager.getSubscription())?.unsubscribe();
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A click on a notification tells an open tab where to go (see web/public/sw.js). */
export function followNotificationClicks(go: (path: string) => void): void {
  navigator.serviceWorker?.addEventListener('message', (e: MessageEvent) => {
    const d = e.data as { type?: string; url?: unknown } | undefined;
    if (d?.type === 'parley.open' && typeof d.url === 'string' && d.url.startsWith('/')) go(d.url);
  });
}
