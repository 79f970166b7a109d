import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { DESKTOP, PHONE, Person, launchBrowser, startWebServer } from './harness.js';
import { type RestUser, befriend, dm, say, user } from './rest-setup.js';

/**
 * WCAG contrast of an element's text against the first opaque background behind it (walking up
 * the tree), in the page: `{ fg, bg, ratio }`.
 */
function contrastOf(p: Page, selector: string) {
  return p.evaluate((sel) => {
    const el = document.querySelector(sel);
    if (!el) throw new Error(`no ${sel}`);
    const parse = (c: string) => {
      const m = /rgba?\(([^)]+)\)/.exec(c);
      if (!m) return undefined;
      const [r, g, b, a = 1] = m[1]!
        .split(/[ ,/]+/)
        .filter(Boolean)
        .map(Number);
      return { r: r!, g: g!, b: b!, a };
    };
    const lum = ({ r, g, b }: { r: number; g: number; b: number }) => {
      const f = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const fg = parse(getComputedStyle(el).color)!;
    let bg: ReturnType<typeof parse>;
    for (let n: Element | null = el; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c.a >= 0.9) {
        bg = c;
        break;
      }
    }
    bg ??= { r: 255, g: 255, b: 255, a: 1 };
    const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    return {
      fg: `rgb(${fg.r}, ${fg.g}, ${fg.b})`,
      bg: `rgb(${bg.r}, ${bg.g}, ${bg.b})`,
      ratio: (hi! + 0.05) / (lo! + 0.05),
    };
  }, selector);
}

describe('web client: rail labels, times in the locale, dark mode', () => {
  let server: TestServer;
  let browser: Browser;
  let A: RestUser;
  let B: RestUser;
  const people: Person[] = [];

  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    const { api } = server;
    [A, B] = [await user(api, 'Ann'), await user(api, 'Bob')];
    await befriend(api, A, B);
    await say(api, B, dm(A, B), 'what time is it?');
    await say(api, A, dm(A, B), 'time to look');
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await Promise.all(people.map((p) => p.snap(ctx.task.name)));
    await Promise.all(people.splice(0).map((p) => p.close()));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const open = async (
    ...args: Parameters<typeof Person.open> extends [unknown, unknown, unknown, ...infer R] ? R : never
  ) => {
    const p = await Person.open(browser, server.url, 'Ann', ...args);
    people.push(p);
    await p.signIn(A);
    return p;
  };

  for (const [size, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    it(`${size}: every rail item shows its label (and a tooltip), inside its item, none overlapping`, async () => {
      const ann = await open(viewport, { touch: size === 'phone' });
      const tabs = ann.page.locator('.rail a.tab');
      expect(await tabs.count()).toBe(4);
      const boxes = [];
      for (const [i, name] of ['Chats', 'Contacts', 'Groups', 'Me'].entries()) {
        const tab = tabs.nth(i);
        // The tooltip is the accessible name: the label, and a count when there is one ("Chats, 1 unread message").
        expect(await tab.getAttribute('title')).toMatch(new RegExp(`^${name}(, |$)`));
        const label = tab.locator('.tab-label');
        expect(await label.innerText()).toBe(name);
        const [t, l] = [await tab.boundingBox(), await label.boundingBox()];
        // Really shown: a box big enough to read, not a clipped 1-pixel screen-reader span.
        expect(l!.width).toBeGreaterThan(12);
        expect(l!.height).toBeGreaterThan(8);
        expect(await label.evaluate((e) => getComputedStyle(e).clip)).not.toMatch(/rect\(0/);
        expect(l!.x).toBeGreaterThanOrEqual(t!.x - 0.5);
        expect(l!.x + l!.width).toBeLessThanOrEqual(t!.x + t!.width + 0.5);
        expect(l!.y + l!.height).toBeLessThanOrEqual(t!.y + t!.height + 0.5);
        expect(t!.x + t!.width).toBeLessThanOrEqual(viewport.width);
        expect(t!.y + t!.height).toBeLessThanOrEqual(viewport.height);
        boxes.push(t!);
      }
      for (let i = 1; i < boxes.length; i++) {
        const [a, b] = [boxes[i - 1]!, boxes[i]!];
        const apart = a.x + a.width <= b.x + 0.5 || a.y + a.height <= b.y + 0.5;
        expect(apart, `rail items ${i - 1} and ${i} overlap`).toBe(true);
      }
      await ann.page.getByRole('link', { name: 'Contacts' }).click();
      await ann.page.locator('.pane-head h1', { hasText: 'Contacts' }).waitFor();
      ann.assertClean();
    });
  }

  it('times follow the browser locale: 24-hour "15:04" in de-DE, "3:04 PM" in en-US, and the day in its language', async () => {
    const read = async (locale: string) => {
      const ann = await open(DESKTOP, { context: { locale, timezoneId: 'Europe/Berlin' } });
      await ann.openChat('Bob');
      const t = ann.message('time to look').locator('time');
      await t.waitFor();
      return {
        time: (await t.innerText()).trim(),
        iso: await t.getAttribute('datetime'),
        day: (await ann.page.locator('.day-sep span').first().innerText()).trim(),
        list: (await ann.page.locator(`.conv[data-cid="${dm(A, B)}"] .conv-time`).innerText()).trim(),
      };
    };
    const de = await read('de-DE');
    const en = await read('en-US');
    expect(de.iso).toBe(en.iso);
    expect(de.time).toMatch(/^\d{2}:\d{2}$/);
    expect(en.time).toMatch(/^\d{1,2}:\d{2}\s?[AP]M$/);
    expect(de.time).not.toBe(en.time);
    // The same instant: the hour read both ways agrees.
    const [, enH, enM, ampm] = /^(\d{1,2}):(\d{2})\s?([AP]M)$/.exec(en.time)!;
    const h24 = (Number(enH) % 12) + (ampm === 'PM' ? 12 : 0);
    expect(de.time).toBe(`${String(h24).padStart(2, '0')}:${enM}`);
    expect(de.day).toBe('Heute');
    expect(en.day).toBe('Today');
    expect(de.list).toBe(de.time);
    expect(en.list).toBe(en.time);
  });

  it('dark mode follows prefers-color-scheme, and text stays readable (contrast ≥ 4.5) in both', async () => {
    const look = async (colorScheme: 'light' | 'dark') => {
      const ann = await open(DESKTOP, { context: { colorScheme } });
      await ann.openChat('Bob');
      await ann.message('what time is it?').waitFor();
      const body = await contrastOf(ann.page, 'body');
      const checks = {
        body,
        title: await contrastOf(ann.page, '.conv-title'),
        preview: await contrastOf(ann.page, '.conv-preview'),
        theirs: await contrastOf(ann.page, '.msg-row.theirs .msg-text'),
        mine: await contrastOf(ann.page, '.msg-row.mine .msg-text'),
        header: await contrastOf(ann.page, '.chat-head h2'),
        input: await contrastOf(ann.page, '.composer textarea'),
      };
      for (const [what, c] of Object.entries(checks))
        expect(c.ratio, `${colorScheme} ${what}: ${c.fg} on ${c.bg}`).toBeGreaterThanOrEqual(4.5);
      return checks;
    };
    const light = await look('light');
    const dark = await look('dark');
    expect(dark.body.bg).not.toBe(light.body.bg);
    expect(dark.body.fg).not.toBe(light.body.fg);
    expect(dark.theirs.bg).not.toBe(light.theirs.bg);
    // Dark means dark: a dark page under light text.
    const lumOf = (rgb: string) =>
      rgb
        .match(/\d+/g)!
        .map(Number)
        .reduce((s, v) => s + v, 0) / 3;
    expect(lumOf(dark.body.bg)).toBeLessThan(60);
    expect(lumOf(dark.body.fg)).toBeGreaterThan(180);
    expect(lumOf(light.body.bg)).toBeGreaterThan(200);
  });
});
