import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { DESKTOP, Person, launchBrowser, startWebServer } from './harness.js';

describe('web client: over the per-user connection limit', () => {
  let server: TestServer;
  let browser: Browser;
  let ann: Person;
  let second: Page | undefined;

  beforeAll(async () => {
    // PARLEY_CONNECTIONS_PER_USER=1: a second tab is one too many.
    server = await startWebServer({ config: { connectionsPerUser: 1 } });
    browser = await launchBrowser();
    ann = await Person.open(browser, server.url, 'Ann', DESKTOP);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await ann.snap(ctx.task.name);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the tab over the limit says so and what to do, instead of reconnecting forever; Retry works once a tab is closed', async () => {
    await ann.register();
    const first = ann.page;
    // The same session in a second tab of the same browser.
    second = await ann.ctx.newPage();
    const errors: string[] = [];
    second.on('pageerror', (e) => errors.push(e.message));
    await second.goto(`${server.url}/`);
    await second.waitForSelector('.shell');
    const banner = second.locator('.conn-banner[data-conn="limited"]');
    await banner.waitFor({ timeout: 20_000 });
    expect(await banner.innerText()).toMatch(/too many tabs or devices/i);
    expect(await banner.innerText()).toMatch(/Close one/);
    // It stays explained (no silent retry loop taking the other tab's place).
    await second.waitForTimeout(2000);
    expect(await banner.count()).toBe(1);
    expect(await first.locator('.conn-banner').count()).toBe(0);

    await first.close();
    await second.click('.conn-banner button:has-text("Retry")');
    await second.waitForFunction(() => !document.querySelector('.conn-banner'), undefined, { timeout: 20_000 });
    expect(errors).toEqual([]);
  });
});
