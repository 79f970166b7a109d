import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { DESKTOP, PHONE, Person, launchBrowser, startWebServer } from './harness.js';

/**
 * The Notifications setting in real Chromium, up to the push subscription. Headless Chromium
 * may have no push service to subscribe with; then the card must say so plainly and the switch
 * stay off. Either way the service worker is registered and active, and subscribe() was asked
 * with the server's VAPID key (recorded by a wrapper that calls the real method).
 */
describe('web client: push notifications setting', () => {
  let server: TestServer;
  let browser: Browser;
  const people: Person[] = [];

  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') for (const p of people) await p.snap(ctx.task.name);
    for (const p of people.splice(0)) await p.ctx.close();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const [label, viewport, touch] of [
    ['desktop', DESKTOP, false],
    ['phone', PHONE, true],
  ] as const) {
    it(`the Notifications switch registers the service worker and subscribes with the server's key (${label})`, async () => {
      const p = await Person.open(browser, server.url, 'Pia', viewport, { touch });
      people.push(p);
      await p.ctx.grantPermissions(['notifications'], { origin: server.url });
      await p.ctx.addInitScript(() => {
        const w = window as unknown as { __subscribeKeys: string[]; __subscribeErrors: string[] };
        w.__subscribeKeys = [];
        w.__subscribeErrors = [];
        if (typeof PushManager === 'undefined') return;
        const real = PushManager.prototype.subscribe;
        PushManager.prototype.subscribe = async function (opts?: PushSubscriptionOptionsInit) {
          const k = opts?.applicationServerKey;
          const bytes = k instanceof ArrayBuffer ? new Uint8Array(k) : new Uint8Array((k as ArrayBufferView).buffer);
          w.__subscribeKeys.push(
            btoa(String.fromCharCode(...bytes))
              .replace(/\+/g, '-')
              .replace(/\//g, '_')
              .replace(/=+$/, ''),
          );
          try {
            return await real.call(this, opts);
          } catch (e) {
            w.__subscribeErrors.push(String((e as Error).message));
            throw e;
          }
        };
      });
      await p.register();
      await p.page.goto(`${server.url}/profile`);
      const toggle = p.page.getByRole('switch', { name: 'Notifications' });
      await toggle.waitFor();
      expect(await toggle.isChecked()).toBe(false);
      const box = await toggle.boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= viewport.width).toBe(true);
      // Chromium says on the console why a browser context (incognito-like, as Playwright's are)
      // cannot subscribe; that is the browser's message, expected here, not the page's error.
      p.allow = /does not support the Push API/;
      if (touch) await toggle.tap();
      else await toggle.click();

      const alert = p.page.getByRole('alert');
      await p.page.waitForFunction(
        () =>
          document.querySelector('[role=switch][aria-checked=true]') !== null ||
          document.querySelector('.push-settings [role=alert]') !== null,
        undefined,
        { timeout: 20_000 },
      );

      const worker = await p.page.evaluate(async () => {
        const reg = await navigator.serviceWorker.getRegistration('/');
        return { script: reg?.active?.scriptURL, state: reg?.active?.state, scope: reg?.scope };
      });
      expect(worker.script).toBe(`${server.url}/sw.js`);
      expect(worker.state).toBe('activated');
      expect(worker.scope).toBe(`${server.url}/`);
      const sw = await fetch(`${server.url}/sw.js`);
      expect(sw.headers.get('content-type')).toMatch(/javascript/);
      expect(sw.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(sw.headers.get('service-worker-allowed')).toBe('/');
      expect(sw.headers.get('cache-control')).toBe('no-cache');

      const token = await p.page.evaluate(() => JSON.parse(localStorage.getItem('parley.session')!).token as string);
      const serverKey = (await server.api.get('/api/v1/push/vapid-key', token)).body.publicKey;
      const asked = await p.page.evaluate(() => (window as unknown as { __subscribeKeys: string[] }).__subscribeKeys);
      expect(asked).toEqual([serverKey]);

      const listed = (await server.api.get('/api/v1/me/push-subscriptions', token)).body.items;
      const failures = await p.page.evaluate(
        () => (window as unknown as { __subscribeErrors: string[] }).__subscribeErrors,
      );
      if (failures.length) {
        // No push service reachable from this browser: said plainly, nothing registered.
        expect(await alert.innerText()).toContain('could not subscribe to push notifications');
        expect(await alert.innerText()).toContain(failures[0]!);
        expect(await toggle.isChecked()).toBe(false);
        expect(listed).toEqual([]);
      } else {
        expect(await toggle.isChecked()).toBe(true);
        expect(listed).toMatchObject([{ current: true, hideText: false }]);
        expect(await p.page.getByRole('status').filter({ hasText: 'On:' }).count()).toBe(1);
      }
      // The hide-text choice is a labelled control next to it.
      await p.page.getByRole('checkbox', { name: 'Hide message text in notifications' }).waitFor();
      p.assertClean();
    });
  }
});
