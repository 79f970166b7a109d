import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { V, groupWith } from '../social/helpers.js';

interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

/** One request with exactly these headers and bytes (fetch would add or drop some). */
function raw(url: string, method: string, path: string, headers: Record<string, string>, body?: string) {
  const u = new URL(url);
  return new Promise<RawReply>((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe('HTTP edges over raw requests', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => {
    await s?.close();
  });
  const json = (token: string, extra: Record<string, string> = {}) => ({
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    ...extra,
  });

  it('a bodyless POST with Content-Type: application/json is taken as no body (Content-Length: 0 or chunked)', async () => {
    const a = await registerUser(s.api, 'edge');
    const r = await raw(s.url, 'POST', `${V}/auth/logout`, json(a.token, { 'content-length': '0' }));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const b = await registerUser(s.api, 'edge');
    const chunked = await raw(s.url, 'POST', `${V}/auth/logout`, json(b.token, { 'transfer-encoding': 'chunked' }));
    expect(chunked.status, JSON.stringify(chunked.body)).toBe(200);
    const c = await registerUser(s.api, 'edge');
    const charset = await raw(
      s.url,
      'POST',
      `${V}/auth/logout`,
      json(c.token, { 'content-type': 'application/json; charset=utf-8', 'content-length': '0' }),
    );
    expect(charset.status, JSON.stringify(charset.body)).toBe(200);
  });

  it('POST /groups/:id/join works without a body, with or without Content-Type', async () => {
    const owner = await registerUser(s.api, 'own');
    const [j1, j2] = [await registerUser(s.api, 'j'), await registerUser(s.api, 'j')];
    const open = await groupWith(s.api, owner, [], { joinPolicy: 'open' });
    const withType = await raw(s.url, 'POST', `${V}/groups/${open.id}/join`, json(j1.token, { 'content-length': '0' }));
    expect(withType.status, JSON.stringify(withType.body)).toBe(200);
    expect(withType.body.status).toBe('joined');
    const bare = await raw(s.url, 'POST', `${V}/groups/${open.id}/join`, {
      authorization: `Bearer ${j2.token}`,
      'content-length': '0',
    });
    expect(bare.status, JSON.stringify(bare.body)).toBe(200);
    const approval = await groupWith(s.api, owner, []);
    const asked = await raw(
      s.url,
      'POST',
      `${V}/groups/${approval.id}/join`,
      json(j1.token, { 'content-length': '0' }),
    );
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    expect(asked.body.request).toMatchObject({ message: '' });
  });

  it('an empty body where one is required is a validation error; broken JSON stays INVALID_JSON', async () => {
    const login = await raw(s.url, 'POST', `${V}/auth/login`, {
      'content-type': 'application/json',
      'content-length': '0',
    });
    expect(login.status).toBe(400);
    expect(login.body.error.code).toBe('VALIDATION_FAILED');
    const broken = await raw(s.url, 'POST', `${V}/auth/login`, { 'content-type': 'application/json' }, '{"login":');
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('INVALID_JSON');
    const blank = await raw(s.url, 'POST', `${V}/auth/login`, { 'content-type': 'application/json' }, '   ');
    expect(blank.body.error.code).toBe('INVALID_JSON');
    // Prototype poisoning is still refused by the parser.
    const proto = await raw(
      s.url,
      'POST',
      `${V}/auth/login`,
      { 'content-type': 'application/json' },
      '{"__proto__":{"x":1}}',
    );
    expect(proto.status).toBe(400);
  });

  it('a path parameter over 200 characters is 414 URI_TOO_LONG with the coded body, on every route shape', async () => {
    const a = await registerUser(s.api, 'long');
    const long = 'x'.repeat(201);
    for (const [method, path] of [
      ['GET', `${V}/users/${long}`],
      ['GET', `${V}/groups/${long}/members`],
      ['POST', `${V}/groups/${long}/join`],
      ['PATCH', `${V}/conversations/${long}`],
      ['GET', `${V}/conversations/dm:${long}/messages`],
      ['DELETE', `${V}/me/sessions/${long}`],
    ] as const) {
      const r = await raw(s.url, method, path, json(a.token, { 'content-length': '0' }));
      expect(r.status, `${method} ${path.slice(0, 40)}: ${JSON.stringify(r.body)}`).toBe(414);
      expect(r.body.error.code).toBe('URI_TOO_LONG');
    }
    // 200 characters is still a (malformed) parameter, answered by the route.
    const at = await raw(s.url, 'GET', `${V}/users/${'x'.repeat(200)}`, json(a.token));
    expect(at.status).toBe(400);
  });

  it('a query string over 4,096 characters is 414 URI_TOO_LONG, also where a redirect would echo it', async () => {
    const a = await registerUser(s.api, 'longq');
    for (const path of [`${V}/users?q=${'x'.repeat(4100)}`, `${V}/docs/static/index.html?x=${'x'.repeat(14_000)}`]) {
      const r = await raw(s.url, 'GET', path, json(a.token));
      expect(r.status, path.slice(0, 40)).toBe(414);
      expect(r.body.error.code).toBe('URI_TOO_LONG');
    }
    const ok = await raw(s.url, 'GET', `${V}/users?q=${'x'.repeat(60)}`, json(a.token));
    expect(ok.status).toBe(200);
  });
});
