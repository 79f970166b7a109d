import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import type { Browser } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, registerUser } from '../support/server.js';
import { until } from '../support/ws-clients.js';
import { DESKTOP, PASSWORD, PHONE, Person, launchBrowser, startWebServer } from './harness.js';

const V = '/api/v1';
const FRESH = 'a brand new password';

/** A local SMTP server on 127.0.0.1 that keeps every message it receives. */
async function localSmtp() {
  const mails: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, cb) {
      simpleParser(stream)
        .then((m) => {
          mails.push(m);
          cb();
        })
        .catch(cb);
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as AddressInfo).port;
  return { mails, url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const linkIn = (m: ParsedMail, kind: string) => m.text?.match(new RegExp(`/#/${kind}/([A-Za-z0-9_-]+)`))?.[1];

async function logIn(p: Person['page'], login: string, password: string) {
  await p.fill('input[name=login]', login);
  await p.fill('input[name=password]', password);
  await p.click('button[type=submit]');
}

describe.each([
  ['desktop', DESKTOP, false],
  ['phone', PHONE, true],
] as const)('web client, password reset and recovery e-mail at %s size', (_label, viewport, touch) => {
  let server: TestServer;
  let mailServer: TestServer;
  let smtp: Awaited<ReturnType<typeof localSmtp>>;
  let browser: Browser;
  let ann: Person;

  beforeAll(async () => {
    smtp = await localSmtp();
    server = await startWebServer();
    mailServer = await startWebServer({
      config: { smtpUrl: smtp.url, mailFrom: 'Parley <no-reply@example.test>', publicUrl: 'https://chat.example.test' },
    });
    browser = await launchBrowser();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await ann?.snap(ctx.task.name);
    await ann?.close();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await mailServer?.close();
    await smtp?.close();
  });

  it('sets a new password from an operator code at #/reset/<code>; the code leaves the address bar', async () => {
    ann = await Person.open(browser, server.url, 'Ann', viewport, { touch });
    ann.allow = /status of (401|501)/;
    const a = await registerUser(server.api, 'ann');
    const { code } = await server.app.services.recovery.issueReset(a.username);
    const p = ann.page;

    // A wrong code is explained plainly.
    await p.goto(`${server.url}/#/reset/aaaabbbbccccdddd`);
    const form = p.getByRole('form', { name: 'Choose a new password' });
    await form.locator('input[name=password]').fill(FRESH);
    await form.getByLabel('New password again').fill(FRESH);
    await form.getByRole('button', { name: 'Set new password' }).click();
    await form.getByRole('alert').filter({ hasText: 'This link or code is not valid any more' }).waitFor();

    await p.goto(`${server.url}/#/reset/${code.replace(/-/g, '')}`);
    await form.waitFor();
    expect(p.url()).not.toContain('#');
    expect(p.url()).not.toContain(code.replace(/-/g, ''));
    await form.locator('input[name=password]').fill(FRESH);
    await form.getByLabel('New password again').fill(`${FRESH}!`);
    await form.getByRole('button', { name: 'Set new password' }).click();
    await form.getByRole('alert').filter({ hasText: 'The two passwords are not the same.' }).waitFor();
    await form.getByLabel('New password again').fill(FRESH);
    const box = await form.getByRole('button', { name: 'Set new password' }).boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= viewport.width).toBe(true);
    await form.getByRole('button', { name: 'Set new password' }).click();
    await p.getByRole('status').filter({ hasText: 'Your new password is set' }).waitFor();
    expect((await server.api.get(`${V}/me`, a.token)).status).toBe(401);
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.waitForSelector('form[aria-label="Log in"]');
    await logIn(p, a.username, FRESH);
    await p.waitForSelector('.shell');
    await ann.online();

    // Without mail on the server, the e-mail card and "Forgot password?" say so plainly.
    await ann.go('/profile');
    const card = p.getByRole('region', { name: 'Recovery e-mail' });
    await card.getByLabel('E-mail address').fill('ann@example.test');
    await card.getByRole('button', { name: 'Set address' }).click();
    await card.getByRole('alert').filter({ hasText: 'This server cannot send e-mail' }).waitFor();
    await p.getByRole('button', { name: 'Log out' }).click();
    const forgotLink = p.getByRole('button', { name: 'Forgot password?' });
    // A touch target a finger can hit on a phone.
    if (touch) expect((await forgotLink.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    await forgotLink.click();
    const forgot = p.getByRole('form', { name: 'Reset password' });
    await forgot.getByLabel('E-mail address').fill('ann@example.test');
    await forgot.getByRole('button', { name: 'Send reset link' }).click();
    await forgot.getByRole('alert').filter({ hasText: 'Ask its operator for a reset code' }).waitFor();
    ann.assertClean();
  });

  it('verifies a recovery address by its link, then resets the password by e-mail', async () => {
    ann = await Person.open(browser, mailServer.url, 'Ann', viewport, { touch });
    const a = await registerUser(mailServer.api, 'ann');
    const addr = `${a.username}@example.test`;
    await ann.signIn(a);
    const p = ann.page;
    await ann.go('/profile');
    const card = p.getByRole('region', { name: 'Recovery e-mail' });
    await card.getByLabel('E-mail address').fill(addr);
    await card.getByRole('button', { name: 'Set address' }).click();
    await card.getByText('verification sent').waitFor();
    await card.getByText(addr).waitFor();
    await until(() => smtp.mails.some((m) => JSON.stringify(m.to).includes(addr)));
    const vcode = linkIn(smtp.mails.find((m) => JSON.stringify(m.to).includes(addr))!, 'verify-email');
    expect(vcode).toBeDefined();

    await p.goto(`${mailServer.url}/#/verify-email/${vcode}`);
    await p.getByRole('status').filter({ hasText: 'Your e-mail address is verified' }).waitFor();
    expect(p.url()).not.toContain(vcode!);
    await p.getByRole('button', { name: 'Continue' }).click();
    await ann.go('/profile');
    await card.getByText('verified', { exact: true }).waitFor();
    expect((await mailServer.api.get(`${V}/me/email`, a.token)).body).toEqual({ email: addr, verified: true });

    // Forgot password: the same answer for any address; the verified one gets the link.
    await p.getByRole('button', { name: 'Log out' }).click();
    const forgotLink = p.getByRole('button', { name: 'Forgot password?' });
    // A touch target a finger can hit on a phone.
    if (touch) expect((await forgotLink.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    await forgotLink.click();
    const forgot = p.getByRole('form', { name: 'Reset password' });
    await forgot.getByLabel('E-mail address').fill(addr);
    await forgot.getByRole('button', { name: 'Send reset link' }).click();
    await forgot.getByRole('status').filter({ hasText: 'If an account has this verified address' }).waitFor();
    await until(() => smtp.mails.some((m) => JSON.stringify(m.to).includes(addr) && m.subject?.includes('Reset')));
    const mail = smtp.mails.find((m) => JSON.stringify(m.to).includes(addr) && m.subject?.includes('Reset'))!;
    const rcode = linkIn(mail, 'reset');
    expect(rcode).toBeDefined();
    await p.goto(`${mailServer.url}/#/reset/${rcode}`);
    const form = p.getByRole('form', { name: 'Choose a new password' });
    await form.locator('input[name=password]').fill(FRESH);
    await form.getByLabel('New password again').fill(FRESH);
    await form.getByRole('button', { name: 'Set new password' }).click();
    await p.getByRole('button', { name: 'Log in' }).click();
    // The old password is refused (a 401 the browser logs).
    ann.allow = /status of 401/;
    await logIn(p, a.username, PASSWORD);
    await p.getByRole('alert').filter({ hasText: 'do not match' }).waitFor();
    await logIn(p, a.username, FRESH);
    await p.waitForSelector('.shell');
    ann.assertClean();
  });
});
