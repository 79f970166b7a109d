import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { PASSWORD, PHONE, Person, befriendViaUi, launchBrowser, startWebServer } from './harness.js';

describe('web client, phone size: a group of three', () => {
  let server: TestServer;
  let browser: Browser;
  let cat: Person;
  let dan: Person;
  let eve: Person;

  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    cat = await Person.open(browser, server.url, 'Cat', PHONE);
    dan = await Person.open(browser, server.url, 'Dan', PHONE);
    eve = await Person.open(browser, server.url, 'Eve', PHONE);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await Promise.all([cat, dan, eve].map((p) => p?.snap(ctx.task.name)));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('registers three people on phones and befriends them', async () => {
    await cat.register();
    await dan.register();
    await eve.register();
    await befriendViaUi(cat, dan);
    await befriendViaUi(cat, eve);
    for (const p of [cat, dan, eve]) p.assertClean();
  });

  it('creates a group, invites two friends, and all three chat with an @mention', async () => {
    await cat.go('/groups');
    await cat.page.click('button:has-text("New group")');
    await cat.page.fill('.modal input[aria-label="Group name"]', 'Weekend hike');
    await cat.page.click('.modal button:has-text("Create group")');
    await cat.page.locator('[data-group-id] h2', { hasText: 'Weekend hike' }).waitFor();
    await cat.page.click('button:has-text("Add people")');
    await cat.page.check(`.modal input[aria-label="Invite ${dan.nickname}"]`);
    await cat.page.check(`.modal input[aria-label="Invite ${eve.nickname}"]`);
    await cat.page.click('.modal button:has-text("to group")');
    await cat.page.locator(`[data-member="${dan.username}"]`).waitFor();
    await cat.page.locator(`[data-member="${eve.username}"]`).waitFor();
    await cat.page.click('button:has-text("Open chat")');
    await cat.page.waitForSelector('.chat .composer textarea');

    // @mention: typing "@Da" offers Dan.
    const box = cat.page.locator('.composer textarea');
    await box.pressSequentially('Who brings snacks, @Da');
    await cat.page.click(`.mention-list button:has-text("@${dan.nickname}")`);
    await box.pressSequentially('?');
    await box.press('Enter');

    await dan.openChat('Weekend hike');
    const mention = dan.message('Who brings snacks');
    await mention.waitFor();
    expect(await mention.getAttribute('class')).toContain('mentioned');
    expect(await mention.locator('.mention').innerText()).toBe(`@${dan.nickname}`);
    await dan.send('I will!');

    await eve.openChat('Weekend hike');
    await eve.message('I will!').waitFor();
    await eve.message('Who brings snacks').waitFor();
    // Group messages carry the sender's name.
    expect(await eve.message('I will!').locator('.msg-sender').innerText()).toBe(dan.nickname);
    await eve.send('Count me in');
    await cat.message('Count me in').waitFor();
    await dan.message('Count me in').waitFor();

    // On a phone the chat is full screen; Back returns to the list.
    expect(await eve.page.locator('.list-pane').isVisible()).toBe(false);
    await eve.page.click('button[aria-label="Back to chats"]');
    await eve.page.locator('.conv', { hasText: 'Weekend hike' }).waitFor();
    for (const p of [cat, dan, eve]) p.assertClean();
  });

  it('lets the owner kick a member and a member leave', async () => {
    await cat.go('/groups');
    await cat.page.locator('.person', { hasText: 'Weekend hike' }).click();
    const row = cat.page.locator(`[data-member="${eve.username}"]`);
    await row.locator('summary').click();
    await row.locator('button:has-text("Remove from group")').click();
    await row.waitFor({ state: 'detached' });
    await eve.openChat('Weekend hike');
    await eve.page.locator('.composer.disabled').waitFor();

    await dan.go('/groups');
    await dan.page.locator('.person', { hasText: 'Weekend hike' }).click();
    await dan.page.click('button:has-text("Leave group")');
    await dan.page.locator('.person', { hasText: 'Weekend hike' }).waitFor({ state: 'detached' });
    await cat.page.reload();
    await cat.page.locator(`[data-member="${dan.username}"]`).waitFor({ state: 'detached' });
    for (const p of [cat, dan, eve]) p.assertClean();
  });

  it('changes the profile and the password; the other session ends', async () => {
    const other = await Person.open(browser, server.url, 'Cat', PHONE);
    await other.page.goto(`${server.url}/login`);
    await other.page.fill('input[name=login]', cat.username);
    await other.page.fill('input[name=password]', PASSWORD);
    await other.page.click('button[type=submit]');
    await other.page.waitForSelector('.shell');

    await cat.go('/profile');
    await cat.page.fill('input[aria-label="Display name"]', 'Cat Stevens');
    await cat.page.fill('textarea[aria-label="Bio"]', 'Hiking, mostly.');
    await cat.page.click('button:has-text("Save profile")');
    await cat.page.locator('.profile-name', { hasText: 'Cat Stevens' }).waitFor();
    await cat.page.locator('.list-pane .session[data-current="false"]').waitFor();

    await cat.page.fill('input[aria-label="Current password"]', PASSWORD);
    await cat.page.fill('input[aria-label="New password"]', 'a brand new secret');
    await cat.page.click('button:has-text("Change password")');
    await cat.page.locator('.toast', { hasText: 'Password changed' }).waitFor();
    // The other device is signed out (its socket closes, its next request is refused).
    other.allow = /401|Unauthorized/;
    await other.page.reload();
    await other.page.waitForSelector('.auth');
    await other.close();

    // A new profile picture, uploaded with progress, shows as the avatar.
    const face = await sharp({
      create: { width: 300, height: 300, channels: 3, background: { r: 230, g: 120, b: 80 } },
    })
      .jpeg()
      .toBuffer();
    await cat.page
      .locator('[data-testid="avatar-input"]')
      .setInputFiles({ name: 'me.jpg', mimeType: 'image/jpeg', buffer: face });
    await cat.page.locator('.toast', { hasText: 'Profile picture updated' }).waitFor();
    await cat.page.waitForFunction(() => {
      const i = document.querySelector<HTMLImageElement>('.profile-top .avatar img');
      return !!i && i.complete && i.naturalWidth > 0 && i.src.includes('/media/');
    });

    // Log out: back to the login screen, and the stored session is gone.
    await cat.page.click('button:has-text("Log out")');
    await cat.page.waitForSelector('.auth');
    expect(await cat.page.evaluate(() => localStorage.getItem('parley.session'))).toBeNull();
    await cat.page.reload();
    await cat.page.waitForSelector('.auth');
    cat.assertClean();
  });
});
