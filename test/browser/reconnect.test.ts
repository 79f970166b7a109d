import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { CutProxy } from './cut-proxy.js';
import { DESKTOP, Person, befriendViaUi, launchBrowser, startWebServer } from './harness.js';

describe('web client: losing the connection and catching up', () => {
  let server: TestServer;
  let proxy: CutProxy;
  let browser: Browser;
  let ann: Person;
  let bob: Person;

  beforeAll(async () => {
    server = await startWebServer();
    proxy = new CutProxy(Number(new URL(server.url).port));
    const viaProxy = await proxy.listen();
    browser = await launchBrowser();
    // Ann reaches the server only through the proxy the test can cut; Bob connects directly.
    ann = await Person.open(browser, viaProxy, 'Ann', DESKTOP);
    bob = await Person.open(browser, server.url, 'Bob', DESKTOP);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await Promise.all([ann, bob].map((p) => p?.snap(ctx.task.name)));
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await server?.close();
  });

  it('shows the reconnecting state, then shows every missed message once and delivers what was sent offline', async () => {
    await ann.register();
    await bob.register();
    await befriendViaUi(ann, bob);
    await bob.page.locator(`.person[data-user="${ann.username}"] button[aria-label^="Chat with"]`).click();
    await bob.send('before the cut');
    await ann.openChat('Bob');
    await ann.message('before the cut').waitFor();

    // While cut, the browser itself reports the failed socket and requests: expected here.
    ann.allow = /WebSocket|ERR_|Failed to load resource/;
    proxy.cut();
    await ann.page.locator('.conn-banner[data-conn="reconnecting"]').waitFor();
    expect(await ann.page.locator('.conn-banner').innerText()).toMatch(/Reconnecting|Connection lost/);

    for (const n of [1, 2, 3]) {
      await bob.send(`missed ${n}`);
      await bob.message(`missed ${n}`).waitFor();
    }
    await ann.send('written while offline');
    await ann.page.locator('.msg-row.pending', { hasText: 'written while offline' }).waitFor();

    proxy.restore();
    await ann.online();
    await ann.message('missed 3').waitFor();
    await bob.message('written while offline').waitFor();
    await ann.message('written while offline').waitFor();
    await ann.page.locator('.msg-row.pending').waitFor({ state: 'detached' });

    const texts = await ann.texts();
    const mine = texts.filter((t) => /before the cut|missed \d|written while offline/.test(t));
    expect(mine).toEqual(['before the cut', 'missed 1', 'missed 2', 'missed 3', 'written while offline']);
    expect((await bob.texts()).filter((t) => t === 'written while offline')).toHaveLength(1);

    ann.allow = undefined;
    await bob.send('after the reconnect');
    await ann.message('after the reconnect').waitFor();
    ann.assertClean();
    bob.assertClean();
  });
});
