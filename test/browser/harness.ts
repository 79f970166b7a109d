import path from 'node:path';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
  chromium,
} from 'playwright-core';
import { testDialects } from '../support/databases.js';
import { type StartOptions, type TestServer, startServer } from '../support/server.js';

export const CHROMIUM = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
export const PASSWORD = 'correct horse battery';

/** Debian's Chromium, headless, with a fake microphone that needs no permission prompt. Never downloads a browser. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
    ],
  });
}

/** A real Parley serving the built web client (first dialect of PARLEY_TEST_DB). */
export function startWebServer(opts: StartOptions = {}): Promise<TestServer> {
  return startServer({
    dialect: testDialects()[0],
    ...opts,
    config: { webDir: path.resolve('web/dist'), logLevel: 'warn', ...opts.config },
  });
}

let seq = 0;
/** A username unique to this run. */
export function uniqueName(base: string): string {
  return `${base}${Date.now().toString(36).slice(-5)}${(seq++).toString(36)}`;
}

/**
 * One person in one browser context. Every uncaught page error and console error is recorded;
 * `assertClean()` fails the test on any (except those `allow` says are expected right now,
 * such as the browser reporting a socket failure while the test cuts the network).
 */
export class Person {
  readonly errors: string[] = [];
  allow: RegExp | undefined;
  username = '';

  private constructor(
    readonly ctx: BrowserContext,
    public page: Page,
    readonly nickname: string,
    readonly base: string,
  ) {
    this.watch(page);
  }

  private watch(page: Page) {
    page.setDefaultTimeout(15_000);
    page.on('dialog', (d) => void d.accept());
    page.on('pageerror', (e) => this.errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      if (this.allow?.test(m.text())) return;
      this.errors.push(`console.error: ${m.text()} ${JSON.stringify(m.location())}`);
    });
  }

  /** Closes the tab and opens a fresh one at `/` (same browser context, same stored session). */
  async reopen() {
    if (!this.page.isClosed()) await this.page.close();
    this.page = await this.ctx.newPage();
    this.watch(this.page);
    await this.page.goto(`${this.base}/`);
    await this.page.waitForSelector('.shell');
  }

  /**
   * `touch` makes it a phone: touch events, a mobile viewport, no hover (`(hover: none)` matches).
   * `context` adds browser-context options (a locale, a time zone, a colour scheme).
   */
  static async open(
    browser: Browser,
    base: string,
    nickname: string,
    viewport = DESKTOP,
    opts: { touch?: boolean; context?: BrowserContextOptions } = {},
  ): Promise<Person> {
    const ctx = await browser.newContext({
      viewport,
      deviceScaleFactor: 1,
      permissions: ['microphone', 'notifications'],
      ...(opts.touch ? { hasTouch: true, isMobile: true } : {}),
      ...opts.context,
    });
    return new Person(ctx, await ctx.newPage(), nickname, base);
  }

  /** Registers through the UI and waits for the signed-in shell. */
  async register(username = uniqueName(this.nickname.toLowerCase())) {
    this.username = username;
    const p = this.page;
    await p.goto(`${this.base}/register`);
    await p.fill('input[name=login]', username);
    await p.fill('input[name=nickname]', this.nickname);
    await p.fill('input[name=password]', PASSWORD);
    await p.click('button[type=submit]');
    await p.waitForSelector('.shell');
    await this.online();
    return this;
  }

  /** Signs in with a session made over REST (no UI round trip), and waits for the shell. */
  async signIn(u: { token: string; user: { id: string }; username: string }) {
    this.username = u.username;
    await this.page.goto(`${this.base}/login`);
    await this.page.evaluate((s) => localStorage.setItem('parley.session', JSON.stringify(s)), {
      token: u.token,
      userId: u.user.id,
    });
    await this.page.goto(`${this.base}/`);
    await this.page.waitForSelector('.shell');
    await this.online();
    return this;
  }

  /** Waits until the live connection is up (no connection banner). */
  async online() {
    await this.page.waitForFunction(() => !document.querySelector('.conn-banner'), undefined, { timeout: 20_000 });
  }

  async go(pathname: string) {
    await this.page.evaluate((p) => {
      history.pushState(null, '', p);
      dispatchEvent(new PopStateEvent('popstate'));
    }, pathname);
  }

  async openChat(title: string) {
    await this.go('/');
    const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    await this.page
      .locator('.conv')
      .filter({ has: this.page.locator('.conv-title', { hasText: exact }) })
      .first()
      .locator('.conv-link')
      .click();
    await this.page.waitForSelector('.chat .composer');
  }

  /** Opens the DM with a friend from the Contacts screen (works before any message exists). */
  async chatWith(username: string) {
    await this.go('/contacts');
    await this.page.locator(`.person[data-user="${username}"] button[aria-label^="Chat with"]`).click();
    await this.page.waitForSelector('.chat .composer textarea');
  }

  async send(text: string) {
    const box = this.page.locator('.composer textarea');
    await box.fill(text);
    await box.press('Enter');
  }

  /** The message bubble with this text (stored, not pending). */
  message(text: string | RegExp) {
    return this.page.locator('.msg-row[data-seq]').filter({ has: this.page.locator('.msg-text', { hasText: text }) });
  }

  /**
   * A finger resting on the element's centre through real touch events (no mouse), lifted once
   * `until` shows (so the hold does not depend on how fast the loaded machine runs the page).
   */
  async longPress(target: Locator, until: Locator) {
    const box = await target.boundingBox();
    if (!box) throw new Error('long-press target is not visible');
    const point = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    const cdp = await this.ctx.newCDPSession(this.page);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point] });
    try {
      await until.waitFor();
    } finally {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      await cdp.detach();
    }
  }

  async texts(): Promise<string[]> {
    return this.page.locator('.msg-row[data-seq] .msg-text').allInnerTexts();
  }

  /** A screenshot for a failed test, under test-results/ (ignored by git). */
  async snap(label: string) {
    const file = path.resolve('test-results', `${label.replace(/\W+/g, '-').slice(0, 60)}-${this.nickname}.png`);
    await this.page.screenshot({ path: file }).catch(() => {});
    process.stderr.write(`screenshot: ${file}\n${this.errors.join('\n')}\n`);
  }

  assertClean() {
    if (this.errors.length) throw new Error(`${this.nickname}'s page reported errors:\n${this.errors.join('\n')}`);
  }

  async close() {
    await this.ctx.close();
  }
}

/** A befriends B through the Contacts screen; B accepts from its requests list. */
export async function befriendViaUi(a: Person, b: Person) {
  await a.go('/contacts');
  await a.page.click('text=Add friend');
  await a.page.fill('input[aria-label="Username or mobile"]', b.username);
  await a.page.click('.modal button:has-text("Search")');
  await a.page.click('.modal button:has-text("Add friend")');
  await a.page.waitForSelector('.modal', { state: 'detached' });
  await b.go('/contacts');
  const req = b.page.locator(`[data-request-from="${a.username}"]`);
  await req.waitFor();
  await req.locator('button:has-text("Accept")').click();
  await b.page.locator(`.person[data-user="${a.username}"]`).waitFor();
}
