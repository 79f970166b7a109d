import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, registerUser } from '../support/server.js';
import { DESKTOP, PASSWORD, PHONE, Person, launchBrowser, startWebServer } from './harness.js';
import { befriend, dm, say } from './rest-setup.js';

const V = '/api/v1';

describe.each([
  ['desktop', DESKTOP, false],
  ['phone', PHONE, true],
] as const)('web client, my data and account deletion at %s size', (_label, viewport, touch) => {
  let server: TestServer;
  let browser: Browser;
  let ann: Person;
  let bob: Person;

  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    ann = await Person.open(browser, server.url, 'Ann', viewport, { touch });
    bob = await Person.open(browser, server.url, 'Bob', viewport, { touch });
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') {
      await ann?.snap(ctx.task.name);
      await bob?.snap(ctx.task.name);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('downloads my data as a ZIP, then deletes the account: signed out, no sign-in, the peer sees "Deleted account"', async () => {
    const a = await registerUser(server.api, 'ann', { nickname: 'Ann Real' });
    const b = await registerUser(server.api, 'bob');
    await befriend(server.api, a, b);
    await say(server.api, a, dm(a, b), 'hello from ann');
    await ann.signIn(a);
    const p = ann.page;
    await ann.go('/profile');

    // The export is fetched with the bearer header and saved from a Blob: a real download of a ZIP.
    const data = p.getByRole('region', { name: 'Your data' });
    const [download] = await Promise.all([
      p.waitForEvent('download'),
      data.getByRole('button', { name: 'Download my data' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.zip$/);
    const file = await download.path();
    const bytes = fs.readFileSync(file);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
    expect(bytes.length).toBeGreaterThan(100);

    // Danger zone: the box must be ticked, and a wrong password is refused without signing out.
    ann.allow = /status of 401/;
    const zone = p.getByRole('region', { name: 'Delete account' });
    const box = await zone.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= viewport.width).toBe(true);
    await zone.getByLabel('Password').fill(PASSWORD);
    await zone.getByRole('button', { name: 'Delete my account' }).click();
    await zone.getByRole('alert').filter({ hasText: 'Tick the box to confirm.' }).waitFor();
    await zone.getByRole('checkbox', { name: 'I understand my account is deleted for good' }).check();
    await zone.getByLabel('Password').fill('not my password');
    await zone.getByRole('button', { name: 'Delete my account' }).click();
    await zone.getByRole('alert').filter({ hasText: 'That password is not right.' }).waitFor();
    expect((await server.api.get(`${V}/me`, a.token)).status).toBe(200);
    await p.waitForSelector('.shell');

    await zone.getByLabel('Password').fill(PASSWORD);
    await zone.getByRole('button', { name: 'Delete my account' }).click();
    await p.waitForSelector('form[aria-label="Log in"]');
    expect(await p.evaluate(() => localStorage.getItem('parley.session'))).toBeNull();
    expect((await server.api.get(`${V}/me`, a.token)).status).toBe(401);

    // The account can no longer sign in (through the UI either).
    await p.fill('input[name=login]', a.username);
    await p.fill('input[name=password]', PASSWORD);
    await p.click('button[type=submit]');
    await p.getByRole('alert').filter({ hasText: 'do not match' }).waitFor();

    // Bob still has the chat and its message, from "Deleted account".
    await bob.signIn(b);
    const conv = bob.page
      .locator('.conv')
      .filter({ has: bob.page.locator('.conv-title', { hasText: /^Deleted account$/ }) });
    await conv.first().locator('.conv-link').click();
    await bob.page.getByRole('log', { name: 'Messages' }).getByText('hello from ann').waitFor();
    expect(await bob.page.getByText('Ann Real').count()).toBe(0);
    ann.assertClean();
    bob.assertClean();
  });
});
