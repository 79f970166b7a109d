// Parley's service worker: shows Web Push notifications and opens the conversation when one is
// clicked. Plain script (no build step), served at /sw.js so its scope is the whole app.
// The payload is documented in docs/protocol.md, "Web Push".

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let p = {};
  try {
    p = event.data ? event.data.json() : {};
  } catch {
    p = {};
  }
  const title = typeof p.title === 'string' && p.title ? p.title : 'Parley';
  const body = typeof p.body === 'string' ? p.body : 'New message';
  const url =
    p.kind === 'message' && typeof p.conversation === 'string'
      ? `/chat/${encodeURIComponent(p.conversation)}`
      : p.kind === 'request'
        ? '/contacts'
        : '/';
  event.waitUntil(
    self.registration.showNotification(title, {
      body,
      tag: typeof p.tag === 'string' ? p.tag : 'parley',
      // A replacement for a conversation's earlier notification still tells the user.
      renotify: true,
      icon: '/favicon.svg',
      data: { url },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const path = (event.notification.data && event.notification.data.url) || '/';
  const target = new URL(path, self.location.origin).href;
  event.waitUntil(
    (async () => {
      const tabs = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const tab = tabs.find((c) => new URL(c.url).origin === self.location.origin);
      if (tab) {
        // The app routes on the client: tell it where to go rather than reloading it.
        tab.postMessage({ type: 'parley.open', url: path });
        return tab.focus();
      }
      return self.clients.openWindow(target);
    })(),
  );
});
