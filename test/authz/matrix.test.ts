import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../support/databases.js';
import { type TestServer, startServer } from '../support/server.js';
import { type Case, type MatrixEntry, V, World } from './matrix-types.js';

// Every `routes-*.ts` next to this file contributes entries, so each area adds its own file.
const here = path.dirname(fileURLToPath(import.meta.url));
const files = fs
  .readdirSync(here)
  .filter((f) => /^routes-.+\.ts$/.test(f))
  .sort();
const entries: MatrixEntry[] = [];
for (const f of files) {
  const mod = (await import(path.join(here, f))) as { entries?: MatrixEntry[] };
  if (!Array.isArray(mod.entries)) throw new Error(`${f} must export \`entries\``);
  entries.push(...mod.entries);
}
const byRoute = new Map<string, MatrixEntry>();
for (const e of entries) {
  if (byRoute.has(e.route)) throw new Error(`Two matrix entries for ${e.route}`);
  byRoute.set(e.route, e);
}

async function run(w: World, c: Case, defaults: { path: string; body?: unknown }, method: string) {
  const m = c.method ?? method;
  const body = c.body !== undefined ? c.body : defaults.body;
  return w.api.req(m, c.path ?? defaults.path, {
    ...(c.token ? { token: c.token } : {}),
    ...(body !== undefined ? { body } : ['POST', 'PUT', 'PATCH'].includes(m) ? { body: {} } : {}),
  });
}

describe.each(testDialects())('authorization matrix on %s', (dialect) => {
  let s: TestServer;
  let w: World;
  beforeAll(async () => {
    s = await startServer({ dialect });
    w = new World(s);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('has an entry for every /api/v1 route, and no entry for a route that does not exist', () => {
    const routes = s.app.http.routeTable
      .filter((r) => r.url.startsWith(`${V}/`) || r.url === V)
      .map((r) => `${r.method} ${r.url}`);
    expect(routes.length).toBeGreaterThan(40);
    const missing = routes.filter((r) => !byRoute.has(r));
    expect(missing, `routes without a matrix entry (add them to test/authz/routes-<area>.ts)`).toEqual([]);
    const stale = [...byRoute.keys()].filter((r) => !routes.includes(r));
    expect(stale, 'matrix entries for routes that are not registered').toEqual([]);
  });

  it.each(entries.map((e) => [e.route, e] as const))('%s', async (route, entry) => {
    const method = route.split(' ')[0]!;
    const sc = await entry.setup(w);
    const cases: Case[] = entry.public
      ? sc.cases
      : [
          { who: 'no token', expect: 401, code: 'UNAUTHENTICATED' },
          { who: 'bad token', token: 'x'.repeat(43), expect: 401, code: 'UNAUTHENTICATED' },
          ...sc.cases,
        ];
    expect(
      cases.some((c) => c.expect < 300),
      'every entry shows the allowed actor succeeding',
    ).toBe(true);
    for (const c of cases) {
      const r = await run(w, c, sc, method);
      const what = `${route} as ${c.who}: ${r.status} ${JSON.stringify(r.body)?.slice(0, 300)}`;
      expect(r.status, what).toBe(c.expect);
      if (c.expect >= 400) {
        // A refusal carries the error and nothing else.
        expect(Object.keys(r.body ?? {}), what).toEqual(['error']);
        expect(Object.keys(r.body.error).sort(), what).toEqual(['code', 'message']);
        if (c.code) expect(r.body.error.code, what).toBe(c.code);
        for (const secret of sc.secrets ?? [])
          expect(JSON.stringify(r.body), `${what} leaks ${secret}`).not.toContain(secret);
      }
      await c.check?.(r.body);
    }
  });
});
