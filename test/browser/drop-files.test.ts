import sharp from 'sharp';
import type { Browser, JSHandle, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, registerUser } from '../support/server.js';
import { DESKTOP, PHONE, Person, launchBrowser, startWebServer } from './harness.js';

/** A DataTransfer in the page holding real File objects, as the browser builds for a drop or paste. */
function transfer(page: Page, files: { name: string; type: string; b64: string }[]): Promise<JSHandle<DataTransfer>> {
  return page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name, { type: f.type }));
    }
    return dt;
  }, files);
}

describe('web client: pasting and dropping files stages them in the composer, desktop and phone', () => {
  let server: TestServer;
  let browser: Browser;
  let ann: Person;
  let bob: Person;
  let png: string;

  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    ann = await Person.open(browser, server.url, 'Ann', DESKTOP);
    bob = await Person.open(browser, server.url, 'Bob', PHONE, { touch: true });
    const a = await registerUser(server.api, 'Ann');
    const b = await registerUser(server.api, 'Bob');
    const r = await server.api.post('/api/v1/contacts/requests', { userId: b.user.id }, a.token);
    await server.api.post(`/api/v1/contacts/requests/${r.body.id}/accept`, {}, b.token);
    await ann.signIn(a);
    await bob.signIn(b);
    await ann.chatWith(b.username);
    await bob.chatWith(a.username);
    png = (
      await sharp({ create: { width: 120, height: 80, channels: 3, background: { r: 30, g: 160, b: 90 } } })
        .png()
        .toBuffer()
    ).toString('base64');
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await Promise.all([ann, bob].map((p) => p.snap(ctx.task.name)));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('dropping files shows a drop target while dragging, then stages them; Send delivers them', async () => {
    for (const [me, peer, name] of [
      [ann, bob, 'desk'],
      [bob, ann, 'phone'],
    ] as const) {
      const dt = await transfer(me.page, [
        { name: `${name}.png`, type: 'image/png', b64: png },
        { name: `${name}.txt`, type: 'text/plain', b64: Buffer.from('dropped notes').toString('base64') },
      ]);
      const rowsBefore = await me.page.locator('.msg-row').count();
      const messages = me.page.locator('.chat .messages');
      const target = me.page.getByTestId('drop-target');
      expect(await target.count()).toBe(0);
      await messages.dispatchEvent('dragenter', { dataTransfer: dt });
      await messages.dispatchEvent('dragover', { dataTransfer: dt });
      await target.waitFor();
      // The drop target covers the chat, so the user sees where to let go.
      const zone = (await target.boundingBox())!;
      const area = (await messages.boundingBox())!;
      expect(zone.width).toBeGreaterThanOrEqual(area.width - 20);
      await messages.dispatchEvent('drop', { dataTransfer: dt });
      await target.waitFor({ state: 'detached' });

      const tray = me.page.getByRole('list', { name: 'Files to send' });
      await expect
        .poll(() => tray.locator('li').evaluateAll((l) => l.map((x) => x.getAttribute('data-kind'))))
        .toEqual(['image', 'file']);
      // Staged, not sent: nothing new in the timeline until Send.
      expect(await me.page.locator('.msg-row').count()).toBe(rowsBefore);
      await me.page.getByRole('textbox', { name: 'Message' }).fill(`dropped on ${name}`);
      await me.page.getByRole('button', { name: 'Send', exact: true }).click();
      await tray.waitFor({ state: 'detached' });
      const pic = peer.page
        .locator('.msg-row[data-seq][data-kind="image"]')
        .filter({ has: peer.page.getByTestId('caption').filter({ hasText: `dropped on ${name}` }) });
      await pic.locator('img').waitFor();
      await peer.page.locator('.msg-row[data-seq][data-kind="file"] .file-name', { hasText: `${name}.txt` }).waitFor();
    }
    // A drag that leaves without dropping takes the target away again and stages nothing.
    const dt = await transfer(ann.page, [{ name: 'x.png', type: 'image/png', b64: png }]);
    const messages = ann.page.locator('.chat .messages');
    await messages.dispatchEvent('dragenter', { dataTransfer: dt });
    await ann.page.getByTestId('drop-target').waitFor();
    await messages.dispatchEvent('dragleave', { dataTransfer: dt });
    await ann.page.getByTestId('drop-target').waitFor({ state: 'detached' });
    expect(await ann.page.getByRole('list', { name: 'Files to send' }).count()).toBe(0);
    ann.assertClean();
    bob.assertClean();
  });

  it('pasting an image from the clipboard into the message box stages it; pasted text stays text', async () => {
    for (const [me, peer, name] of [
      [ann, bob, 'desk'],
      [bob, ann, 'phone'],
    ] as const) {
      const box = me.page.getByRole('textbox', { name: 'Message' });
      const dt = await transfer(me.page, [{ name: `clip-${name}.png`, type: 'image/png', b64: png }]);
      await box.evaluate(
        (el, data) =>
          el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true })),
        dt,
      );
      const tray = me.page.getByRole('list', { name: 'Files to send' });
      await tray.locator('li[data-kind="image"] img').waitFor();
      expect(await box.inputValue()).toBe('');
      await box.fill(`pasted on ${name}`);
      await box.press('Enter');
      await peer.page
        .locator('.msg-row[data-seq][data-kind="image"] [data-testid="caption"]', { hasText: `pasted on ${name}` })
        .waitFor();
    }
    // Plain text on the clipboard is not a file: nothing is staged.
    const box = ann.page.getByRole('textbox', { name: 'Message' });
    await box.evaluate((el) => {
      const data = new DataTransfer();
      data.setData('text/plain', 'just words');
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    expect(await ann.page.getByRole('list', { name: 'Files to send' }).count()).toBe(0);
    ann.assertClean();
    bob.assertClean();
  });
});
