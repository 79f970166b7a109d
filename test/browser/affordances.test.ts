import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, registerUser } from '../support/server.js';
import { DESKTOP, Person, launchBrowser, startWebServer } from './harness.js';

describe('web client, desktop: what is offered matches the rules', () => {
  let server: TestServer;
  let browser: Browser;
  let ann: Person;

  beforeAll(async () => {
    // A recall window that has always passed by the time anyone looks, without waiting on the clock.
    server = await startWebServer({ config: { recallWindow: 1 } });
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

  it('offers no edit or recall after the recall window; a refused send gives a plain reason', async () => {
    const a = await registerUser(server.api, 'Ann');
    const b = await registerUser(server.api, 'Bob');
    const r = await server.api.post('/api/v1/contacts/requests', { userId: b.user.id }, a.token);
    await server.api.post(`/api/v1/contacts/requests/${r.body.id}/accept`, {}, b.token);
    await ann.signIn(a);
    await ann.chatWith(b.username);
    await ann.send('Too late to change');
    const msg = ann.message('Too late to change');
    await msg.waitFor();
    await msg.hover();
    await msg.locator('button[aria-label="Reply"]').waitFor();
    // The limits have loaded once the reply button shows; edit and recall are not there.
    await expect.poll(() => msg.locator('button[aria-label="Edit"], button[aria-label="Recall"]').count()).toBe(0);

    // Bob blocks Ann: her next message is refused, and she reads why in plain words.
    await server.api.put(`/api/v1/blocks/${a.user.id}`, {}, b.token);
    await ann.send('Are you there?');
    const failed = ann.page.locator('.msg-row.pending[data-status="failed"]');
    await failed.waitFor();
    expect(await failed.locator('.failed').innerText()).toBe(
      'Not sent: This person is not accepting messages from you.',
    );

    // A chat address that is not a conversation: no server wording ("Not a conversation id: …").
    ann.allow = /400|Bad Request/;
    await ann.go('/chat/not-a-chat');
    await ann.page.waitForSelector('.chat .composer textarea');
    await ann.send('Hello?');
    const bad = ann.page.locator('.chat[data-cid="not-a-chat"] .msg-row.pending[data-status="failed"] .failed');
    await bad.waitFor();
    expect(await bad.innerText()).not.toMatch(/conversation id/i);
    expect(await bad.innerText()).toBe('Not sent: This chat does not exist or the message is not valid.');
    expect(await ann.page.locator('.toast').allInnerTexts()).not.toContainEqual(
      expect.stringMatching(/conversation id/i),
    );
    ann.assertClean();
  });
});
