import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rate } from '../../src/config-spec.js';
import { dmId } from '../../src/domain/conversation-id.js';
import { testDialects } from '../support/databases.js';
import { DeliveryChecker } from '../support/delivery-checker.js';
import { type TestServer, startServer } from '../support/server.js';
import { connectClient } from '../support/ws-clients.js';
import { type GroupFixture, V, World } from '../authz/matrix-types.js';
import { FUZZ_RUNS, expectCodedError, fuzzParams, nastyJson, nastyString } from './fuzz-support.js';
import { type Schema, fromSchema, mutate } from './schema-arbitrary.js';
import type { ParleyClient } from '@parley/client';
import { deepJsonText } from './frame-arbitraries.js';

const LIMITS = {
  messageRate: 1_000_000,
  messageBurst: 1_000_000,
  loginAttempts: 10_000,
  friendRequestsPerDay: 100_000,
};

// The route list comes from the app itself (as the authorization matrix does), so a route
// added later is fuzzed without anyone listing it here.
const probe = await startServer();
const ROUTES = probe.app.http.routeTable
  .filter((r) => r.url === V || r.url.startsWith(`${V}/`))
  .map((r) => `${r.method} ${r.url}`);
await probe.close();
/** Routes grouped by area (`/api/v1/<area>/…`): one property per area, the areas fuzzed concurrently. */
const AREAS = [...new Set(ROUTES.map(areaOf))].sort();
function areaOf(route: string): string {
  return route
    .split(' ')[1]!
    .split('/')[3]!
    .replace(/\.json$/, '');
}

interface Operation {
  parameters?: { in: string; name: string; schema?: Schema; required?: boolean }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

interface Wire {
  method: string;
  path: string;
  token?: string;
  raw?: string;
  what: string;
}

/** Percent-encodes a path segment; lone surrogates (not encodable) go out as their UTF-8 replacement bytes. */
const pct = (v: string) => {
  try {
    return encodeURIComponent(v);
  } catch {
    return [...Buffer.from(v, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  }
};

/** One request, redirects not followed (a 3xx is an answer, not a failure). */
async function send(base: string, method: string, path: string, headers: Record<string, string>, raw?: string) {
  const res = await fetch(base + path, { method, headers, body: raw, redirect: 'manual' });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: the coded-shape check reports it */
  }
  return { status: res.status, body: body as any, retryAfter: res.headers.get('retry-after') };
}

/** Every 429, whichever limit it comes from, says how long to wait, and RATE_LIMITED says it is temporary. */
function expectTooMany(r: { status: number; body: any; retryAfter: string | null }, what: string) {
  if (r.status !== 429) return;
  expect(Number(r.retryAfter), `${what}: Retry-After`).toBeGreaterThanOrEqual(1);
  if (r.body?.error?.code === 'RATE_LIMITED') expect(r.body.error.temporary, what).toBe(true);
}

// The HTTP layer is the same on every dialect: the first dialect asked for gets the full run
// count (1,000 per property in CI); the others a tenth of it, for dialect-specific limits.
const runsFor = (dialect: string) =>
  dialect === testDialects()[0] ? FUZZ_RUNS : Math.max(20, Math.floor(FUZZ_RUNS / 10));

describe.each(testDialects())('REST fuzzing on %s', (dialect) => {
  let s: TestServer;
  let w: World;
  let g: GroupFixture;
  let doc: { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } };
  let pool: string[];
  // The acting user's live credentials (fuzzed requests may log it out or change its password).
  const me = { username: '', password: '', token: '' };
  const open: ParleyClient[] = [];

  beforeAll(async () => {
    s = await startServer({ dialect, config: LIMITS });
    w = new World(s);
    g = await w.group('approval');
    const [asker, joiner] = await w.users(2, 'fz');
    const friendRequest = await w.request(asker!, g.owner);
    const joinRequest = await w.joinRequest(g.id, joiner!);
    await s.api.post(
      `${V}/conversations/${dmId(g.owner.user.id, g.member.user.id)}/messages`,
      { clientId: 'seed', kind: 'text', text: 'seed' },
      g.owner.token,
    );
    pool = [
      g.id,
      `g:${g.id}`,
      dmId(g.owner.user.id, g.member.user.id),
      friendRequest,
      joinRequest,
      ...[g.owner, g.admin, g.member, g.kicked, g.stranger].map((u) => u.user.id),
      g.member.username,
    ];
    Object.assign(me, { username: g.owner.username, password: g.owner.password, token: g.owner.token });
    doc = s.app.http.swagger() as typeof doc;
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await s?.close();
  });

  const resolve = (ref: string) => doc.components?.schemas?.[ref.replace(/^#\/components\/schemas\//, '')];

  function requests(route: string): fc.Arbitrary<Wire> {
    const [method, url] = route.split(' ') as [string, string];
    const op = doc.paths[url.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
    const params = [...url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
    const schemaOf = (where: string, name: string) =>
      op?.parameters?.find((p) => p.in === where && p.name === name)?.schema;
    const segment = (name: string) =>
      fc
        .oneof(
          { weight: 3, arbitrary: fc.constantFrom(...pool) },
          { weight: 2, arbitrary: fromSchema(schemaOf('path', name), resolve, pool).map(String) },
          { weight: 1, arbitrary: nastyString(120) },
        )
        .map((v) => pct(v === '' ? ' ' : v));
    const queryProps = (op?.parameters ?? []).filter((p) => p.in === 'query');
    const query = fc
      .oneof(
        fc.record(
          Object.fromEntries(queryProps.map((p) => [p.name, fromSchema(p.schema, resolve, pool).map(String)])),
          { requiredKeys: [] },
        ),
        fc.dictionary(
          fc.oneof(fc.constantFrom(...queryProps.map((p) => p.name), 'x'), nastyString(20)),
          nastyString(60),
          { maxKeys: 3 },
        ),
      )
      .map((q) => new URLSearchParams(q as Record<string, string>).toString());
    const bodySchema = op?.requestBody?.content?.['application/json']?.schema;
    const valid = fromSchema(bodySchema ?? { type: 'object' }, resolve, pool);
    const hasBody = ['POST', 'PUT', 'PATCH'].includes(method);
    // fetch cannot send a body with GET.
    const noBody = method === 'GET';
    const body = fc
      .oneof(
        { weight: 3, arbitrary: valid.map((v) => JSON.stringify(v)) },
        { weight: 3, arbitrary: mutate(valid).map((v) => JSON.stringify(v)) },
        { weight: 1, arbitrary: nastyJson.map((v) => JSON.stringify(v)) },
        // Deep nesting and numbers JSON.parse turns into Infinity or rounds, in a valid body
        // (as a field of it, `data` included) or as the whole body.
        {
          weight: 2,
          arbitrary: fc
            .tuple(
              valid,
              fc.constantFrom('data', 'text', 'name', 'x'),
              fc.oneof(deepJsonText, fc.constantFrom('1e400', '-1e400', '123456789012345678901234567890', '-0')),
            )
            .map(([v, k, h]) => {
              if (typeof v !== 'object' || v === null || Array.isArray(v)) return h;
              const inner = k === 'data' ? `{"v":${h}}` : h;
              const rest = JSON.stringify({ ...v, [k]: undefined });
              return rest === '{}' ? `{"${k}":${inner}}` : `{"${k}":${inner},${rest.slice(1)}`;
            }),
        },
        { weight: 1, arbitrary: nastyString(400) },
        { weight: hasBody ? 0 : 3, arbitrary: fc.constant(undefined) },
      )
      .map((b) => (noBody ? undefined : b));
    const token = fc.oneof(
      { weight: 8, arbitrary: fc.constant('me') },
      { weight: 1, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constantFrom('x'.repeat(43), 'Bearer', '', '\u00ff'.repeat(10)) },
    );
    return fc
      .record({ segs: fc.tuple(...params.map(segment)), q: query, raw: body, token })
      .map(({ segs, q, raw, token: t }) => {
        let i = 0;
        const path = url.replace(/:(\w+)/g, () => segs[i++]!) + (q ? `?${q}` : '');
        return { method, path, raw, token: t, what: `${method} ${path.slice(0, 300)} ${raw?.slice(0, 300) ?? ''}` };
      });
  }

  /** Keeps the acting user signed in when a fuzzed request logged it out or changed its password. */
  async function afterSuccess(route: string, r: { status: number; body: any }, raw?: string) {
    if (r.status >= 300) return;
    if (route === 'POST /api/v1/me/password') me.password = JSON.parse(raw!).password;
    if (route === 'PATCH /api/v1/me' && typeof r.body?.username === 'string') me.username = r.body.username;
    if (['POST /api/v1/auth/logout', 'POST /api/v1/me/password', 'DELETE /api/v1/me/sessions/:id'].includes(route)) {
      const l = await s.api.post(`${V}/auth/login`, { login: me.username, password: me.password });
      expect(l.status, JSON.stringify(l.body)).toBe(200);
      me.token = l.body.token;
    }
  }

  it('lists the routes it fuzzes from the app', () => {
    expect(ROUTES.length).toBeGreaterThan(40);
    expect(AREAS).toEqual(
      expect.arrayContaining(['auth', 'me', 'users', 'contacts', 'blocks', 'groups', 'conversations', 'media']),
    );
  });

  it.concurrent.each(AREAS)(
    '/api/v1/%s/…: no 5xx for any route, body, parameter or token; every refusal is coded',
    async (area) => {
      const routes = ROUTES.filter((r) => areaOf(r) === area);
      const arb = fc.constantFrom(...routes).chain((route) => requests(route).map((q) => ({ ...q, route })));
      await fc.assert(
        fc.asyncProperty(arb, async (q) => {
          const route = q.route;
          const token = q.token === 'me' ? me.token : q.token;
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (token !== undefined) headers.authorization = `Bearer ${token}`;
          const r = await send(s.url, q.method, q.path, headers, q.raw);
          // The one 5xx that is an answer, not a failure: this server has no SMTP configured (a
          // capability it states by code), which the e-mail routes say whatever the input.
          const noMail = r.status === 501 && r.body?.error?.code === 'MAIL_NOT_CONFIGURED';
          if (!noMail)
            expect(r.status, `${q.what} → ${r.status} ${JSON.stringify(r.body)?.slice(0, 300)}`).toBeLessThan(500);
          if (r.status >= 400) expectCodedError(r.body, q.what);
          expectTooMany(r, q.what);
          if (q.token === 'me') await afterSuccess(route, r, q.raw);
        }),
        { ...fuzzParams(), numRuns: runsFor(dialect) },
      );
    },
    600_000,
  );

  it('afterwards the API still works: login, a REST send, and its delivery to a live device', async () => {
    const l = await s.api.post(`${V}/auth/login`, { login: me.username, password: me.password });
    expect(l.status).toBe(200);
    const [x, y] = await w.users(2, 'after');
    await w.friends(x!, y!);
    const cid = dmId(x!.user.id, y!.user.id);
    const checker = new DeliveryChecker();
    open.push(await connectClient(s.url, y!.token, 'json', {}, (c) => checker.attach('y1', y!.user.id, c)));
    const sent = await s.api.post(
      `${V}/conversations/${cid}/messages`,
      { clientId: 'after-fuzz', kind: 'text', text: 'ok' },
      x!.token,
    );
    expect(sent.status).toBe(201);
    checker.ack({ conversation: cid, seq: sent.body.seq ?? sent.body.entry?.seq });
    const members = { [cid]: [y!.user.id] };
    await checker.settle(members);
    checker.verify(members);
    expect(checker.received('y1', cid)).toEqual([1]);
  });
});

/**
 * The abuse limits under fuzzing: tight budgets, requests to every throttled route from a few
 * addresses and users, valid and mutated. Whatever is refused is coded; every 429 is
 * `RATE_LIMITED` with `temporary` and `Retry-After`; no 5xx; and afterwards each limit still
 * refuses (the budgets were really spent, by the fuzz or by the last check).
 */
describe('REST fuzzing of the throttled routes', () => {
  let s: TestServer;
  let w: World;
  let g: GroupFixture;
  let cid: string;
  beforeAll(async () => {
    s = await startServer({
      config: {
        trustProxy: true,
        // The setup registers five users from loopback; the fuzz speaks from other addresses.
        registerRate: rate('6/1h'),
        lookupRate: rate('3/1m'),
        conversationWriteRate: rate('3/1m'),
        groupCreateRate: rate('2/1h'),
        groupAddRate: rate('2/1h'),
      },
    });
    w = new World(s);
    g = await w.group('open');
    cid = dmId(g.owner.user.id, g.member.user.id);
  });
  afterAll(async () => {
    await s?.close();
  });

  /**
   * A query value as a client would put it in a URL. A lone surrogate (which nastyString makes on
   * purpose) has no UTF-8 form and encodeURIComponent throws on it; its WTF-8 bytes are sent instead,
   * percent-encoded, which is what a hostile client can put on the wire.
   */
  function encodeQuery(q: string): string {
    return q.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]|[\s\S]/g, (ch) => {
      const c = ch.charCodeAt(0);
      if (ch.length === 1 && c >= 0xd800 && c <= 0xdfff)
        return `%${(0xe0 | (c >> 12)).toString(16)}%${(0x80 | ((c >> 6) & 0x3f)).toString(16)}%${(0x80 | (c & 0x3f)).toString(16)}`.toUpperCase();
      return encodeURIComponent(ch);
    });
  }

  const addresses = ['203.0.113.1', '203.0.113.2', '2001:db8::1'];
  const routes = (): fc.Arbitrary<{
    method: string;
    path: string;
    body?: unknown;
    as: 'owner' | 'member' | 'none';
  }> => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_]{2,20}$/);
    return fc.oneof(
      fc.record({
        method: fc.constant('POST'),
        path: fc.constant(`${V}/auth/register`),
        body: fc.oneof(
          fc.record({ username: name, password: fc.constant('correct horse battery'), nickname: name }),
          nastyJson,
        ),
        as: fc.constant('none' as const),
      }),
      fc.record({
        method: fc.constant('GET'),
        path: fc
          .oneof(name, fc.constantFrom('+15550001', g.member.username), nastyString(40))
          .map((q) => `${V}/users?q=${encodeQuery(q)}`),
        as: fc.constantFrom('owner' as const, 'member' as const),
      }),
      fc.record({
        method: fc.constant('PATCH'),
        path: fc.constant(`${V}/conversations/${cid}`),
        body: fc.oneof(fc.record({ muted: fc.boolean(), pinned: fc.boolean() }, { requiredKeys: [] }), nastyJson),
        as: fc.constantFrom('owner' as const, 'member' as const),
      }),
      fc.record({
        method: fc.constant('POST'),
        path: fc.constant(`${V}/conversations/${cid}/read`),
        body: fc.oneof(fc.record({ seq: fc.nat(5) }), nastyJson),
        as: fc.constantFrom('owner' as const, 'member' as const),
      }),
      fc.record({
        method: fc.constant('POST'),
        path: fc.constant(`${V}/groups`),
        body: fc.oneof(
          fc.record({ name, userIds: fc.constantFrom(undefined, [g.member.user.id]) }, { requiredKeys: ['name'] }),
          nastyJson,
        ),
        as: fc.constantFrom('owner' as const, 'member' as const),
      }),
      fc.record({
        method: fc.constant('POST'),
        path: fc.constant(`${V}/groups/${g.id}/members`),
        body: fc.oneof(fc.record({ userIds: fc.constant([g.member.user.id]) }), nastyJson),
        as: fc.constantFrom('owner' as const, 'member' as const),
      }),
    );
  };

  it('no 5xx; every refusal coded; every 429 RATE_LIMITED, temporary, with Retry-After; the limits hold after', async () => {
    const arb = fc.record({ q: routes(), from: fc.constantFrom(...addresses) });
    await fc.assert(
      fc.asyncProperty(arb, async ({ q, from }) => {
        const headers: Record<string, string> = { 'content-type': 'application/json', 'x-forwarded-for': from };
        if (q.as !== 'none') headers.authorization = `Bearer ${(q.as === 'owner' ? g.owner : g.member).token}`;
        const raw = q.body === undefined ? undefined : JSON.stringify(q.body);
        const what = `${q.method} ${q.path.slice(0, 200)} ${raw?.slice(0, 200) ?? ''}`;
        const r = await send(s.url, q.method, q.path, headers, raw);
        expect(r.status, `${what} → ${r.status} ${JSON.stringify(r.body)?.slice(0, 300)}`).toBeLessThan(500);
        if (r.status >= 400) expectCodedError(r.body, what);
        if (r.status === 429) expect(r.body.error.code, what).toBe('RATE_LIMITED');
        expectTooMany(r, what);
      }),
      { ...fuzzParams(), numRuns: Math.max(60, Math.floor(FUZZ_RUNS / 2)) },
    );
    // Whatever the fuzz spent, one more round of valid requests past each budget is refused.
    const json = { 'content-type': 'application/json' };
    const owner = { ...json, authorization: `Bearer ${g.owner.token}` };
    const past = async (method: string, path: string, body: () => unknown, n: number, h: Record<string, string>) => {
      let last = await send(s.url, method, path, h, JSON.stringify(body()));
      for (let i = 0; i < n; i++) last = await send(s.url, method, path, h, JSON.stringify(body()));
      expect(last.status, `${method} ${path} after ${n + 1}: ${JSON.stringify(last.body)}`).toBe(429);
      expectTooMany(last, path);
    };
    let k = 0;
    const fresh = () => ({ username: `after${k++}x`, password: 'correct horse battery', nickname: 'a' });
    await past('POST', `${V}/auth/register`, fresh, 6, { ...json, 'x-forwarded-for': addresses[0]! });
    await past('PATCH', `${V}/conversations/${cid}`, () => ({ muted: false }), 3, owner);
    await past('POST', `${V}/groups`, () => ({ name: 'past' }), 2, owner);
    await past('POST', `${V}/groups/${g.id}/members`, () => ({ userIds: [g.member.user.id] }), 2, owner);
    await past('GET', `${V}/users?q=${g.member.username}`, () => undefined, 3, owner);
  });
});
