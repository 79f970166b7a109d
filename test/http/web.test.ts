import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startServer } from '../support/server.js';

/** What a browser sends when it navigates to a page. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** A stand-in build of the web client, so these tests do not depend on running Vite. */
function fakeBuild(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-web-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(
    path.join(dir, 'index.html'),
    '<!doctype html><title>Parley</title><div id="app"></div><script type="module" src="/assets/app-abc123.js"></script>',
  );
  fs.writeFileSync(path.join(dir, 'assets', 'app-abc123.js'), 'console.log("parley")');
  fs.writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return dir;
}

describe('serving the web client', () => {
  let s: TestServer;
  let dir: string;
  beforeAll(async () => {
    dir = fakeBuild();
    s = await startServer({ config: { webDir: dir } });
  });
  afterAll(async () => {
    await s?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / and for client routes, never cached, under a strict CSP', async () => {
    for (const p of ['/', '/chat/dm:a:b', '/contacts', '/groups/xyz', '/profile']) {
      const r = await fetch(s.url + p, { headers: { accept: BROWSER_ACCEPT } });
      expect(r.status, p).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/text\/html/);
      expect(await r.text()).toContain('<div id="app">');
      expect(r.headers.get('cache-control')).toBe('no-cache');
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self' ws: wss:");
      expect(csp).toContain("img-src 'self' blob: data:");
      expect(csp).toContain("media-src 'self' blob:");
      expect(csp).not.toMatch(/unsafe-(inline|eval)/);
      expect(r.headers.get('x-frame-options')).toBe('DENY');
    }
  });

  it('serves hashed assets as immutable and other files as revalidated', async () => {
    const a = await fetch(`${s.url}/assets/app-abc123.js`);
    expect(a.status).toBe(200);
    expect(a.headers.get('cache-control')).toContain('immutable');
    expect(a.headers.get('content-type')).toMatch(/javascript/);
    const f = await fetch(`${s.url}/favicon.svg`);
    expect(f.status).toBe(200);
    expect(f.headers.get('cache-control')).toBe('no-cache');
  });

  it('keeps server paths out of the fallback: unknown API routes are JSON 404s', async () => {
    for (const p of ['/api/v1/nope', '/api/nope', '/media/nope/thumb/x', '/ws/x']) {
      const r = await fetch(s.url + p);
      expect(r.status, p).toBe(404);
      expect(r.headers.get('content-type')).toMatch(/json/);
    }
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    // A missing file is a 404, not the page (a stale tab must not run HTML as a script).
    expect((await fetch(`${s.url}/assets/missing-123.js`)).status).toBe(404);
  });

  it('answers unknown non-page paths with the coded 404, so a mistyped probe fails', async () => {
    const notFound = async (p: string, accept?: string) => {
      const r = await fetch(s.url + p, accept ? { headers: { accept } } : {});
      expect(r.status, `${p} (${accept})`).toBe(404);
      expect(r.headers.get('content-type'), p).toMatch(/json/);
      expect((await r.json()).error.code, p).toBe('ROUTE_NOT_FOUND');
    };
    // Probe names that are not ours, whoever asks (a browser included).
    for (const p of ['/health', '/ready', '/health/live', '/livez', '/api', '/api/v2/x', '/metrics/x'])
      for (const accept of [undefined, '*/*', BROWSER_ACCEPT]) await notFound(p, accept);
    // A client route asked for by something that is not a browser navigation.
    for (const accept of [undefined, '*/*', 'application/json', 'text/plain']) await notFound('/contacts', accept);
    // Files are never the page.
    await notFound('/robots.txt', BROWSER_ACCEPT);
    await notFound('/chat/x.png', BROWSER_ACCEPT);
    // The real probes still answer.
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    // And a navigation to a client route, with a query string, still gets the page.
    const page = await fetch(`${s.url}/contacts?tab=requests`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
  });

  it('does not serve files outside the build folder', async () => {
    const r = await fetch(`${s.url}/..%2f..%2fetc%2fpasswd`);
    expect(await r.text()).not.toContain('root:');
  });
});

describe('without a built client', () => {
  it('answers / with a clear 503 page instead of crashing', async () => {
    const s = await startServer({ config: { webDir: path.join(os.tmpdir(), 'parley-no-such-build') } });
    try {
      const r = await fetch(`${s.url}/`);
      expect(r.status).toBe(503);
      expect(await r.text()).toContain('npm run build:web');
      expect((await fetch(`${s.url}/api/v1/nope`)).status).toBe(404);
    } finally {
      await s.close();
    }
  });
});
