// Takes docs/screenshot-chat.png: a real Parley, two people chatting in Chromium.
// Run: npm run screenshot (needs /usr/bin/chromium and a built web client).
import sharp from 'sharp';
import { DESKTOP, Person, befriendViaUi, launchBrowser, startWebServer } from '../test/browser/harness.js';

async function main() {
  const server = await startWebServer();
  const browser = await launchBrowser();
  try {
    const maya = await Person.open(browser, server.url, 'Maya Chen', DESKTOP);
    const leo = await Person.open(browser, server.url, 'Leo Novak', DESKTOP);
    await maya.register('maya');
    await leo.register('leo');
    await befriendViaUi(maya, leo);
    await leo.page.locator('.person[data-user="maya"] button[aria-label^="Chat with"]').click();
    await leo.send('Hey Maya! Are we still on for the climb on Saturday?');
    await maya.openChat('Leo Novak');
    await maya.send('Yes! Weather looks perfect.');
    await maya.send('I found the route we talked about:');
    const photo = await sharp({
      create: { width: 800, height: 520, channels: 3, background: { r: 96, g: 140, b: 196 } },
    })
      .composite([
        {
          input: Buffer.from(
            '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="520"><defs><linearGradient id="s" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#7fb2e8"/><stop offset="1" stop-color="#dcebf7"/></linearGradient></defs><rect width="800" height="520" fill="url(#s)"/><circle cx="640" cy="110" r="48" fill="#fff4c2"/><path d="M0 420 L170 210 L260 300 L400 120 L560 330 L650 250 L800 400 L800 520 L0 520Z" fill="#4d6a8a"/><path d="M400 120 L450 190 L420 185 L400 215 L375 180 L350 190Z" fill="#fff"/><path d="M0 470 L220 350 L420 440 L620 360 L800 450 L800 520 L0 520Z" fill="#2f4f3e"/></svg>',
          ),
        },
      ])
      .png()
      .toBuffer();
    await maya.page
      .locator('[data-testid="image-input"]')
      .setInputFiles({ name: 'route.png', mimeType: 'image/png', buffer: photo });
    await leo.page.locator('.msg-row[data-kind="image"] img').waitFor();
    const first = leo.message('I found the route');
    await first.hover();
    await first.locator('button[aria-label="Reply"]').click();
    await leo.send('That looks amazing 😍 I will bring the rope.');
    await maya.page.locator('.msg-row[data-sticker], .msg-row').last().waitFor();
    await maya.page.click('button[aria-label="Stickers"]');
    await maya.page.click('button[aria-label="Sticker thanks"]');
    await leo.page.locator('.msg-row[data-seq][data-kind="sticker"]').waitFor();
    await leo.page.waitForTimeout(2200); // the server relays one typing signal per 2 s
    await leo.page.locator('.composer textarea').pressSequentially('See you at 8', { delay: 30 });
    await maya.page.locator('[data-testid="chat-subtitle"]', { hasText: 'typing' }).waitFor();
    await maya.page.waitForFunction(() => [...document.querySelectorAll('img')].every((i) => i.complete));
    await maya.page.mouse.move(5, 790);
    await maya.page.screenshot({ path: 'docs/screenshot-chat.png' });
    process.stdout.write('wrote docs/screenshot-chat.png\n');
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
