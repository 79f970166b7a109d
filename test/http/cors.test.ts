import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, registerUser, startServer } from '../support/server.js';

const LISTED = 'https://chat.example.com';
const OTHER = 'https://evil.example.net';

/** A browser's preflight before an authenticated JSON POST. */
function preflight(url: string, origin: string) {
  return fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type',
    },
  });
}

describe('CORS from PARLEY_ORIGINS', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ config: { origins: [LISTED, 'http://localhost:5173'] } });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('answers a listed origin’s preflight with the methods and the Authorization header, without credentials', async () => {
    const r = await preflight(`${s.url}/api/v1/conversations/x/messages`, LISTED);
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe(LISTED);
    expect(r.headers.get('access-control-allow-methods')).toContain('POST');
    expect(r.headers.get('access-control-allow-methods')).toContain('DELETE');
    const allowed = (r.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    expect(allowed).toContain('authorization');
    expect(allowed).toContain('content-type');
    expect(r.headers.get('access-control-allow-credentials')).toBeNull();
    expect(r.headers.get('vary')).toMatch(/origin/i);
  });

  it('adds the headers to a listed origin’s requests, refusals included, and exposes Retry-After', async () => {
    const u = await registerUser(s.api, 'cors');
    const ok = await s.api.req('GET', '/api/v1/me', { token: u.token, headers: { origin: LISTED } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(LISTED);
    expect(ok.headers.get('access-control-expose-headers')).toContain('Retry-After');
    // The page must be able to read the coded error too.
    const refused = await s.api.req('GET', '/api/v1/me', { headers: { origin: 'http://localhost:5173' } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });

  it('gives another origin no CORS header at all, preflight or not', async () => {
    for (const origin of [OTHER, 'null', 'https://chat.example.com.evil.net', 'http://chat.example.com']) {
      const p = await preflight(`${s.url}/api/v1/auth/login`, origin);
      expect(p.headers.get('access-control-allow-origin'), origin).toBeNull();
      expect(p.headers.get('access-control-allow-methods'), origin).toBeNull();
      expect(p.status, origin).toBe(404);
      expect((await p.json()).error.code).toBe('ROUTE_NOT_FOUND');
      const r = await s.api.req('GET', '/api/v1/me', { headers: { origin } });
      expect(r.status).toBe(401);
      expect(r.headers.get('access-control-allow-origin'), origin).toBeNull();
    }
  });

  it('leaves same-origin and non-browser requests as they were', async () => {
    const u = await registerUser(s.api, 'same');
    const same = await s.api.req('GET', '/api/v1/me', { token: u.token, headers: { origin: s.url } });
    expect(same.status).toBe(200);
    expect(same.headers.get('access-control-allow-origin')).toBeNull();
    const plain = await s.api.get('/api/v1/me', u.token);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS with PARLEY_ORIGINS=*', () => {
  it('allows any origin, still without credentials', async () => {
    const s = await startServer({ config: { origins: ['*'] } });
    try {
      const r = await preflight(`${s.url}/api/v1/auth/login`, OTHER);
      expect(r.status).toBe(204);
      expect(r.headers.get('access-control-allow-origin')).toBe('*');
      expect(r.headers.get('access-control-allow-credentials')).toBeNull();
    } finally {
      await s.close();
    }
  });
});

describe('CORS with no PARLEY_ORIGINS', () => {
  it('answers no cross-origin request with CORS headers', async () => {
    const s = await startServer();
    try {
      const r = await preflight(`${s.url}/api/v1/auth/login`, LISTED);
      expect(r.status).toBe(404);
      expect(r.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await s.close();
    }
  });
});
