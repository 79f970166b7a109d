import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, registerUser } from '../support/server.js';
import { PHONE, Person, launchBrowser, startWebServer } from './harness.js';

describe('web client, phone with touch: message actions', () => {
  let server: TestServer;
  let browser: Browser;
  let ann: Person;

  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    ann = await Person.open(browser, server.url, 'Ann', PHONE, { touch: true });
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await ann.snap(ctx.task.name);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('a tap on a bubble recalls nothing; long-press opens the actions, and recall asks first', async () => {
    const a = await registerUser(server.api, 'Ann');
    const b = await registerUser(server.api, 'Bob');
    const req = await server.api.post('/api/v1/contacts/requests', { userId: b.user.id }, a.token);
    await server.api.post(`/api/v1/contacts/requests/${req.body.id}/accept`, {}, b.token);
    await ann.signIn(a);
    expect(await ann.page.evaluate(() => matchMedia('(hover: none)').matches)).toBe(true);
    await ann.chatWith(b.username);
    await ann.send('First, to keep');
    await ann.message('First, to keep').waitFor();
    await ann.send('Second, also to keep');
    await ann.message('Second, also to keep').waitFor();

    // Tap every part of the older bubble, where the newer message's hidden actions sit on a phone.
    const older = ann.message('First, to keep').locator('.bubble');
    const box = (await older.boundingBox())!;
    for (const fx of [0.1, 0.5, 0.9]) await ann.page.touchscreen.tap(box.x + box.width * fx, box.y + box.height / 2);
    await ann.page.touchscreen.tap(box.x + 8, box.y + 4);
    // A message sent afterwards arrives behind anything the taps set off.
    await ann.send('Third');
    await ann.message('Third').waitFor();
    expect(await ann.page.locator('.msg-row[data-recalled="true"]').count()).toBe(0);
    expect(await ann.page.locator('.modal').count()).toBe(0);
    expect(await ann.texts()).toEqual(['First, to keep', 'Second, also to keep', 'Third']);

    // Long-press the second message: its actions open; Recall asks; Cancel keeps it.
    const second = ann.message('Second, also to keep');
    await ann.longPress(second.locator('.bubble'), ann.page.locator('.msg-row.open'));
    expect(await second.evaluate((el) => el.classList.contains('open'))).toBe(true);
    await ann.page.touchscreen.tap(
      ...(await second
        .locator('button[aria-label="Recall"]')
        .boundingBox()
        .then((r) => [r!.x + r!.width / 2, r!.y + r!.height / 2] as const)),
    );
    await ann.page.locator('.modal', { hasText: 'Recall this message?' }).waitFor();
    await ann.page.click('.modal button:has-text("Cancel")');
    expect(await ann.page.locator('.msg-row[data-recalled="true"]').count()).toBe(0);

    await ann.longPress(second.locator('.bubble'), ann.page.locator('.msg-row.open'));
    await second.locator('button[aria-label="Recall"]').tap();
    await ann.page.locator('.modal button:has-text("Recall")').tap();
    await ann.page.locator('.msg-row[data-recalled="true"]').waitFor();
    expect(await ann.texts()).toEqual(['First, to keep', 'Third']);
    ann.assertClean();
  });

  it('tapping a contact opens the chat with them', async () => {
    await ann.go('/contacts');
    await ann.page.locator('.person[data-user] .person-body').first().tap();
    await ann.page.waitForSelector('.chat .composer textarea');
    expect(await ann.page.locator('.chat-head h2').innerText()).toBe('Bob');
    ann.assertClean();
  });
});
