import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { DESKTOP, PHONE, Person, launchBrowser, startWebServer } from './harness.js';
import { type RestUser, befriend, dm, say, user } from './rest-setup.js';

/** A draft per conversation: kept across switching chats and reloads, cleared on send and sign-out. */
describe('web client: drafts', () => {
  let server: TestServer;
  let browser: Browser;
  let ann: Person;
  let bob: Person;
  let A: RestUser;
  let B: RestUser;
  let C: RestUser;

  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    const { api } = server;
    [A, B, C] = [await user(api, 'Ann'), await user(api, 'Bob'), await user(api, 'Cat')];
    await befriend(api, A, B);
    await befriend(api, A, C);
    await say(api, B, dm(A, B), 'from Bob');
    await say(api, C, dm(A, C), 'from Cat');
    ann = await Person.open(browser, server.url, 'Ann', DESKTOP);
    bob = await Person.open(browser, server.url, 'Bob', PHONE, { touch: true });
    await ann.signIn(A);
    await bob.signIn(B);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await Promise.all([ann, bob].map((p) => p?.snap(ctx.task.name)));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const row = (p: Person, cid: string) => p.page.locator(`.conv[data-cid="${cid}"] .conv-preview`);
  const box = (p: Person) => p.page.locator('.composer textarea');

  it('desktop: each chat keeps its own draft, shown in the list, across switching and a reload; sending clears it', async () => {
    await ann.openChat('Bob');
    await box(ann).fill('half a thought for Bob');
    await ann.openChat('Cat');
    expect(await box(ann).inputValue()).toBe('');
    await row(ann, dm(A, B)).filter({ hasText: 'Draft: half a thought for Bob' }).waitFor();
    await box(ann).fill('and one for Cat');
    await ann.openChat('Bob');
    expect(await box(ann).inputValue()).toBe('half a thought for Bob');
    await row(ann, dm(A, C)).filter({ hasText: 'Draft: and one for Cat' }).waitFor();

    await ann.reopen();
    await row(ann, dm(A, B)).filter({ hasText: 'Draft: half a thought for Bob' }).waitFor();
    await row(ann, dm(A, C)).filter({ hasText: 'Draft: and one for Cat' }).waitFor();
    await ann.openChat('Bob');
    expect(await box(ann).inputValue()).toBe('half a thought for Bob');
    await box(ann).press('Enter');
    await ann.message('half a thought for Bob').waitFor();
    expect(await box(ann).inputValue()).toBe('');
    await ann.openChat('Cat');
    await row(ann, dm(A, B)).filter({ hasText: 'You: half a thought for Bob' }).waitFor();
    expect(await row(ann, dm(A, B)).filter({ hasText: 'Draft:' }).count()).toBe(0);
    await ann.openChat('Bob');
    expect(await box(ann).inputValue()).toBe('');
    const kept = await ann.page.evaluate((id) => localStorage.getItem(`parley.drafts.${id}`), A.user.id);
    expect(JSON.parse(kept!)).toEqual({ [dm(A, C)]: 'and one for Cat' });
    ann.assertClean();
  });

  it('desktop: editing a sent message leaves the draft alone and brings it back afterwards', async () => {
    await ann.openChat('Bob');
    await box(ann).fill('draft kept while editing');
    const msg = ann.message('half a thought for Bob');
    await msg.hover();
    await msg.getByRole('button', { name: 'Edit' }).click();
    // The box takes the message's text (a render after the click), in place of the draft.
    await ann.page.waitForFunction(
      () => document.querySelector<HTMLTextAreaElement>('.composer textarea')?.value === 'half a thought for Bob',
    );
    await box(ann).fill('a whole thought for Bob');
    await box(ann).press('Enter');
    await ann.message('a whole thought for Bob').waitFor();
    await ann.page.waitForFunction(
      () => document.querySelector<HTMLTextAreaElement>('.composer textarea')?.value === 'draft kept while editing',
    );
    ann.assertClean();
  });

  it('signing out forgets every draft on this device', async () => {
    await ann.go('/profile');
    await ann.page.getByRole('button', { name: 'Log out' }).click();
    await ann.page.waitForSelector('input[name=login]');
    expect(await ann.page.evaluate((id) => localStorage.getItem(`parley.drafts.${id}`), A.user.id)).toBeNull();
    const again = await server.api.post('/api/v1/auth/login', { login: A.username, password: A.password });
    await ann.signIn({ ...again.body, username: A.username });
    await row(ann, dm(A, C)).filter({ hasText: 'from Cat' }).waitFor();
    expect(await ann.page.locator('.conv-preview[data-draft]').count()).toBe(0);
    ann.assertClean();
  });

  it('phone: a draft survives going back to the list and shows there', async () => {
    await bob.openChat('Ann');
    await box(bob).fill('typed on the bus');
    await bob.page.getByRole('button', { name: 'Back to chats' }).tap();
    await row(bob, dm(A, B)).filter({ hasText: 'Draft: typed on the bus' }).waitFor();
    await bob.openChat('Ann');
    expect(await box(bob).inputValue()).toBe('typed on the bus');
    bob.assertClean();
  });
});
