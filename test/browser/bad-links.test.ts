import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { CutProxy } from './cut-proxy.js';
import { DESKTOP, Person, befriendViaUi, launchBrowser, startWebServer } from './harness.js';

/** Generous bounds: what must happen within seconds, not a measure of how fast. */
const SOON = 25_000;

describe('web client over a slow uplink and a dead (half-open) link', () => {
  let server: TestServer;
  let proxy: CutProxy;
  let browser: Browser;
  let ann: Person;
  let bob: Person;

  beforeAll(async () => {
    // A short auth timeout (a slow uplink passes it easily) and idle timeout (the server's side
    // of a dead link), so the test needs no minute-long waits.
    server = await startWebServer({ config: { authTimeout: 1500, idleTimeout: 4000, pingInterval: 1000 } });
    proxy = new CutProxy(Number(new URL(server.url).port));
    const viaProxy = await proxy.listen();
    browser = await launchBrowser();
    // Ann reaches the server only through the impairing proxy; Bob connects directly.
    ann = await Person.open(browser, viaProxy, 'Ann', DESKTOP);
    bob = await Person.open(browser, server.url, 'Bob', DESKTOP);
    await ann.register();
    await bob.register();
    await befriendViaUi(ann, bob);
    await bob.page.locator(`.person[data-user="${ann.username}"] button[aria-label^="Chat with"]`).click();
    await bob.send('hello Ann');
    await ann.openChat('Bob');
    await ann.message('hello Ann').waitFor();
  });
  afterEach(async (ctx) => {
    proxy.restore();
    if (ctx.task.result?.state === 'fail') await Promise.all([ann, bob].map((p) => p?.snap(ctx.task.name)));
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await server?.close();
  });

  const pending = (p: Person, text: string) => p.page.locator('.msg-row.pending', { hasText: text });
  const count = async (p: Person, text: string) => (await p.texts()).filter((t) => t === text).length;

  it('an auth frame that arrives after the auth timeout keeps the user signed in; the unsent message survives a reload and is delivered once', async () => {
    // The browser reports the sockets the server closes meanwhile: expected here.
    ann.allow = /WebSocket|ERR_|Failed to load resource/;
    // Every byte Ann sends takes 2.5 s: each socket's auth frame comes after the 1.5 s timeout.
    proxy.impair('up', { delayMs: 2500 });
    proxy.drop();
    await ann.page.locator('.conn-banner').waitFor({ timeout: SOON });
    await ann.send('sent over a slow uplink');
    await pending(ann, 'sent over a slow uplink').waitFor();
    // Several attempts time out (4002); none of them signs Ann out.
    await ann.page.waitForTimeout(6000);
    expect(await ann.page.locator('input[name=password]').count()).toBe(0);
    expect(await ann.page.locator('.shell').count()).toBe(1);

    // Unsent messages survive a reload (the page itself loads slowly, but loads).
    await ann.page.reload({ timeout: 60_000 });
    await ann.page.waitForSelector('.shell', { timeout: 60_000 });
    await ann.openChat('Bob');
    await pending(ann, 'sent over a slow uplink').waitFor({ timeout: SOON });
    expect(await ann.page.locator('input[name=password]').count()).toBe(0);

    proxy.restore();
    await ann.online();
    await bob.message('sent over a slow uplink').waitFor({ timeout: SOON });
    await ann.message('sent over a slow uplink').waitFor({ timeout: SOON });
    await pending(ann, 'sent over a slow uplink').waitFor({ state: 'detached' });
    await bob.page.waitForTimeout(500);
    expect(await count(bob, 'sent over a slow uplink')).toBe(1);
    expect(await count(ann, 'sent over a slow uplink')).toBe(1);
    ann.allow = undefined;
    ann.assertClean();
    bob.assertClean();
  });

  it('a link that stops carrying bytes without closing shows the banner within seconds, the peer sees Ann offline, and the message sent meanwhile arrives once', async () => {
    await ann.online();
    await ann.openChat('Bob');
    await bob.openChat('Ann');
    await bob.page.locator('[data-testid="chat-subtitle"]', { hasText: /^online$/ }).waitFor({ timeout: SOON });
    ann.allow = /WebSocket|ERR_|Failed to load resource/;

    proxy.blackHole();
    await ann.send('sent into a dead link');
    await pending(ann, 'sent into a dead link').waitFor();
    expect(await pending(ann, 'sent into a dead link').innerText()).toMatch(/Sending…/);
    // Noticed by the heartbeat (the send checks the link at once), not after a TCP timeout.
    await ann.page.locator('.conn-banner[data-conn="reconnecting"]').waitFor({ timeout: SOON });
    // The server hears nothing from Ann within its idle timeout: it closes her socket and her
    // presence turns offline for Bob.
    await bob.page
      .locator('[data-testid="chat-subtitle"]', { hasText: /^(offline|last seen .+)$/ })
      .waitFor({ timeout: SOON });
    expect(await count(bob, 'sent into a dead link')).toBe(0);

    proxy.restore();
    await ann.online();
    await bob.message('sent into a dead link').waitFor({ timeout: SOON });
    await pending(ann, 'sent into a dead link').waitFor({ state: 'detached', timeout: SOON });
    await bob.page.locator('[data-testid="chat-subtitle"]', { hasText: /^online$/ }).waitFor({ timeout: SOON });
    // The first copy of the send, held in the dead socket, may reach the server late: still once.
    await bob.page.waitForTimeout(1000);
    expect(await count(bob, 'sent into a dead link')).toBe(1);
    expect(await count(ann, 'sent into a dead link')).toBe(1);
    ann.allow = undefined;
    ann.assertClean();
    bob.assertClean();
  });
});
