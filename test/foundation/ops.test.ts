import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, registerUser, startServer } from '../support/server.js';

describe('operations endpoints', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('answers /healthz and /readyz', async () => {
    expect((await s.api.get('/healthz')).body).toEqual({ ok: true });
    const ready = await s.api.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.store.ok).toBe(true);
  });

  it('exports Prometheus metrics with request durations by route and status', async () => {
    await registerUser(s.api, 'metric');
    await s.api.get('/api/v1/me');
    const r = await fetch(`${s.url}/metrics`);
    const text = await r.text();
    expect(r.headers.get('content-type')).toMatch(/text\/plain/);
    expect(text).toMatch(
      /parley_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/auth\/register",status="201"\} [1-9]/,
    );
    expect(text).toMatch(
      /parley_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/me",status="401"\} [1-9]/,
    );
    expect(text).toContain('parley_ws_connections');
    expect(text).toContain('parley_store_commit_batch_size');
  });

  it('publishes an OpenAPI document generated from the route schemas, and a reference page', async () => {
    const doc = await s.api.get('/api/v1/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/auth/register', '/api/v1/auth/login', '/api/v1/me', '/api/v1/users/{id}']),
    );
    const register = doc.body.paths['/api/v1/auth/register'].post;
    expect(register.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['username', 'password', 'nickname']),
    );
    const withdraw = doc.body.paths['/api/v1/groups/{id}/join'].delete;
    expect(withdraw.requestBody).toBeUndefined();
    expect(withdraw.parameters.map((p: any) => [p.in, p.name])).toEqual([['path', 'id']]);
    expect(Object.keys(withdraw.responses).sort()).toEqual(['200', '400', '401', '404', '503']);
    // Reply shapes are named components, referenced from the routes.
    const schemas = doc.body.components.schemas;
    expect(withdraw.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/GroupRequest');
    expect(schemas.GroupRequest.properties.status.anyOf.map((x: any) => x.enum?.[0] ?? x.const)).toContain('canceled');
    const list = doc.body.paths['/api/v1/conversations'].get.responses['200'].content['application/json'].schema;
    expect(list.properties.items.items.$ref).toBe('#/components/schemas/ConversationSummary');
    const summary = schemas.ConversationSummary;
    expect(summary.properties.peerReadSeq).toMatchObject({ type: 'integer' });
    expect(summary.required).not.toContain('peerReadSeq');
    const page = await fetch(`${s.url}/api/v1/docs/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
  });

  it('sets security headers on every reply', async () => {
    const r = await s.api.get('/healthz');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    // Plain http: no HSTS (it is only sent over TLS).
    expect(r.headers.get('strict-transport-security')).toBeNull();
  });

  it('reports the store as not ready when it is gone', async () => {
    const other = await startServer();
    await other.app.store.close();
    const r = await other.api.get('/readyz');
    expect(r.status).toBe(503);
    expect(r.body.checks.store.ok).toBe(false);
    await other.app.http.close();
    await other.db.drop();
  });
});
