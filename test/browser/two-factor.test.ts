import { Secret, TOTP } from 'otpauth';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, registerUser } from '../support/server.js';
import { DESKTOP, PASSWORD, PHONE, Person, launchBrowser, startWebServer } from './harness.js';

const V = '/api/v1';
const STEP = 30_000;

/**
 * The code of the time step `offset` away from now. The server accepts the steps either side and each
 * step only once and in order, so a test uses -1, then 0, then +1; a code for the previous step is made
 * only well inside a step (so it cannot fall out of the window before the server checks it).
 */
async function codeFor(secret: string, offset: -1 | 0 | 1): Promise<string> {
  if (offset === -1 && Date.now() % STEP > STEP - 5_000) await new Promise((r) => setTimeout(r, 6_000));
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
    timestamp: Date.now() + offset * STEP,
  });
}

describe.each([
  ['desktop', DESKTOP, false],
  ['phone', PHONE, true],
] as const)('web client, two-factor sign-in at %s size', (_label, viewport, touch) => {
  let server: TestServer;
  let browser: Browser;
  let ann: Person;

  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    ann = await Person.open(browser, server.url, 'Ann', viewport, { touch });
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await ann?.snap(ctx.task.name);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  // Every password or code check spends one of the account's 5 code attempts (one more a minute), so
  // each test stays within 5.
  it('turns TOTP on from the profile (QR, key, a code, the 10 recovery codes once), then off again', async () => {
    const a = await registerUser(server.api, 'ann');
    await ann.signIn(a);
    // The refused code below is a 401, which the browser logs.
    ann.allow = /status of 401/;
    const p = ann.page;
    await ann.go('/profile');
    const card = p.getByRole('region', { name: 'Two-factor sign-in' });
    await card.getByRole('button', { name: 'Turn on two-factor' }).click();
    await card.getByLabel('Current password').fill(PASSWORD);
    await card.getByRole('button', { name: 'Continue' }).click();

    // The QR image and the key to type in by hand; a wrong code is refused plainly, and the session stays.
    const qr = card.getByRole('img', { name: 'QR code for your authenticator app' });
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    const secret = await card.getByRole('textbox', { name: 'Key' }).inputValue();
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    const box = await qr.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= viewport.width).toBe(true);
    await card.getByLabel('Code from the app').fill('000000');
    await card.getByRole('button', { name: 'Turn on' }).click();
    await card.getByRole('alert').filter({ hasText: 'That code is not right' }).waitFor();
    await card.getByLabel('Code from the app').fill(await codeFor(secret, -1));
    await card.getByRole('button', { name: 'Turn on' }).click();

    const list = card.getByRole('list', { name: 'Recovery codes' });
    await list.waitFor();
    const codes = (await list.getByRole('listitem').allTextContents()).map((c) => c.trim());
    expect(codes).toHaveLength(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    await card.getByRole('button', { name: 'I have saved them' }).click();
    await card.getByText('10 recovery codes left').waitFor();
    expect(await list.count()).toBe(0);
    expect((await server.api.get(`${V}/me/2fa`, a.token)).body).toEqual({ totp: true, recoveryCodesLeft: 10 });
    expect((await server.api.post(`${V}/auth/login`, { login: a.username, password: PASSWORD })).status).toBe(202);

    // Off again: password and a code.
    await card.getByRole('button', { name: 'Turn off two-factor' }).click();
    await card.getByLabel('Current password').fill(PASSWORD);
    await card.locator('input[name=code]').fill(await codeFor(secret, 0));
    await card.getByRole('button', { name: 'Turn off' }).click();
    await card.getByRole('button', { name: 'Turn on two-factor' }).waitFor();
    expect((await server.api.post(`${V}/auth/login`, { login: a.username, password: PASSWORD })).status).toBe(200);
    ann.assertClean();
  });

  it('signs in with the second step: a wrong code is explained, the app code or a recovery code signs in', async () => {
    const a = await registerUser(server.api, 'ann');
    const start = await server.api.post(`${V}/me/2fa/totp`, { password: a.password }, a.token);
    const secret: string = start.body.secret;
    const ok = await server.api.post(`${V}/me/2fa/totp/confirm`, { code: await codeFor(secret, -1) }, a.token);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const codes: string[] = ok.body.recoveryCodes;
    ann.allow = /status of 401/;
    const p = ann.page;

    const signInUntilCode = async () => {
      await p.goto(`${server.url}/login`);
      await p.fill('input[name=login]', a.username);
      await p.fill('input[name=password]', PASSWORD);
      await p.click('button[type=submit]');
      const step = p.getByRole('form', { name: 'Two-factor sign-in' });
      await step.waitFor();
      return step;
    };
    // Signed out from the test before (same browser context).
    await p.goto(`${server.url}/login`);
    await p.evaluate(() => localStorage.clear());
    let step = await signInUntilCode();
    await step.getByLabel('Code').fill('123456');
    await step.getByRole('button', { name: 'Verify' }).click();
    await step.getByRole('alert').filter({ hasText: 'That code is not right' }).waitFor();
    expect(await p.evaluate(() => localStorage.getItem('parley.session'))).toBeNull();
    await step.getByLabel('Code').fill(await codeFor(secret, 0));
    await step.getByRole('button', { name: 'Verify' }).click();
    await p.waitForSelector('.shell');
    await ann.online();

    // A recovery code works in place of the app's code (once).
    await ann.go('/profile');
    await p.getByRole('button', { name: 'Log out' }).click();
    await p.waitForSelector('form[aria-label="Log in"]');
    step = await signInUntilCode();
    await step.getByLabel('Code').fill(codes[3]!.toUpperCase());
    await step.getByRole('button', { name: 'Verify' }).click();
    await p.waitForSelector('.shell');
    await ann.go('/profile');
    await p.getByRole('region', { name: 'Two-factor sign-in' }).getByText('9 recovery codes left').waitFor();
    ann.assertClean();
  });
});
