import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { befriend } from '../support/social-fixtures.js';

// The OpenAPI document as a contract a tool can use: a validating proxy, a client generator.
// Served by a server with a non-default text limit, to see the configured limit in it.
const TEXT_LIMIT = 1234;
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string };

type Operation = {
  operationId?: string;
  security?: unknown[];
  tags?: string[];
  requestBody?: { content: Record<string, { schema: any }> };
  responses: Record<string, any>;
  parameters?: { in: string; name: string; schema: any }[];
  consumes?: unknown;
};

describe('the OpenAPI document', () => {
  let s: TestServer;
  let doc: any;
  let ops: { method: string; path: string; op: Operation }[];
  const op = (method: string, path: string) => {
    const found = ops.find((o) => o.method === method && o.path === path);
    if (!found) throw new Error(`no ${method} ${path} in the document`);
    return found.op;
  };

  beforeAll(async () => {
    s = await startServer({ config: { textLimit: TEXT_LIMIT } });
    doc = (await s.api.get('/api/v1/openapi.json')).body;
    ops = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
    );
  });
  afterAll(async () => {
    await s?.close();
  });

  it('names every operation with a unique operationId', () => {
    const ids = ops.map((o) => o.op.operationId);
    expect(ids.filter((id) => !id)).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(op('POST', '/api/v1/auth/register').operationId).toBe('register');
    expect(op('POST', '/api/v1/conversations/{cid}/messages').operationId).toBe('sendMessage');
  });

  it('declares public routes with an empty security requirement, and only those', () => {
    const open = ops
      .filter((o) => Array.isArray(o.op.security) && o.op.security.length === 0)
      .map((o) => o.op.operationId);
    expect(open.sort()).toEqual(
      [
        'register',
        'login',
        'health',
        'ready',
        'getOpenApi',
        'getMediaFile',
        'getMediaThumb',
        'loginTotp',
        'resetPassword',
        'verifyEmail',
        'requestResetEmail',
      ].sort(),
    );
    expect(doc.security).toEqual([{ bearer: [] }]);
    // Every other operation inherits the bearer requirement.
    expect(ops.filter((o) => o.op.security !== undefined && o.op.security.length > 0)).toEqual([]);
  });

  it('describes the upload as a multipart body with a binary file part', () => {
    const upload = op('POST', '/api/v1/media');
    expect(upload.consumes).toBeUndefined();
    const form = upload.requestBody!.content['multipart/form-data']!.schema;
    expect(form.properties.file).toMatchObject({ type: 'string', format: 'binary' });
    expect(form.required).toEqual(['file']);
    expect(Object.keys(upload.requestBody!.content)).toEqual(['multipart/form-data']);
  });

  it('names the main shapes in components.schemas and references them from the routes', () => {
    const schemas = doc.components.schemas;
    for (const name of [
      'PublicUser',
      'PrivateUser',
      'Group',
      'GroupCard',
      'Member',
      'Entry',
      'EntryMedia',
      'ConversationSummary',
      'Media',
      'ErrorReply',
      'ContactRequest',
      'Friend',
    ]) {
      expect(schemas[name], name).toMatchObject({ type: 'object' });
    }
    expect(Object.keys(schemas.Entry.properties).sort()).toEqual(
      [
        'id',
        'conversation',
        'seq',
        'sender',
        'kind',
        'ts',
        'clientId',
        'text',
        'caption',
        'media',
        'replyTo',
        'mentions',
        'data',
        'target',
        'editedAt',
        'recalled',
        'system',
        'emoji',
        'reactions',
        'pinned',
        'forwarded',
      ].sort(),
    );
    const json = (o: Operation, status: string) => o.responses[status].content['application/json'].schema;
    expect(json(op('GET', '/api/v1/me'), '200').$ref).toBe('#/components/schemas/PrivateUser');
    expect(json(op('GET', '/api/v1/users/{id}'), '200').$ref).toBe('#/components/schemas/PublicUser');
    expect(json(op('POST', '/api/v1/groups'), '201').$ref).toBe('#/components/schemas/Group');
    expect(json(op('GET', '/api/v1/media/{id}'), '200').$ref).toBe('#/components/schemas/Media');
    expect(json(op('GET', '/api/v1/conversations/{cid}/messages'), '200').properties.items.items.$ref).toBe(
      '#/components/schemas/Entry',
    );
    // Every JSON success reply has a shape: a reference, or an object with properties.
    for (const { method, path, op: o } of ops) {
      for (const [status, r] of Object.entries(o.responses)) {
        const schema = r.content?.['application/json']?.schema;
        if (!status.startsWith('2') || !schema || o.operationId === 'getOpenApi') continue;
        const shaped = schema.$ref || schema.properties || schema.anyOf;
        expect(shaped, `${method} ${path} ${status}`).toBeTruthy();
      }
      for (const [status, r] of Object.entries(o.responses)) {
        if (Number(status) >= 400 && o.operationId !== 'ready')
          expect(r.content['application/json'].schema.$ref, `${method} ${path} ${status}`).toBe(
            '#/components/schemas/ErrorReply',
          );
      }
    }
  });

  it('documents 413, 415, 429 with Retry-After, and 503 where the server returns them', () => {
    for (const { method, path, op: o } of ops) {
      expect(o.responses['503'], `${method} ${path}`).toBeDefined();
      if (['POST', 'PUT', 'PATCH'].includes(method)) {
        expect(o.responses['413'], `${method} ${path}`).toBeDefined();
        expect(o.responses['415'], `${method} ${path}`).toBeDefined();
      }
      if (o.responses['429']) expect(o.responses['429'].headers['Retry-After'].schema.type).toBe('integer');
    }
    for (const id of ['login', 'sendMessage', 'markRead', 'sendContactRequest']) {
      const found = ops.find((o) => o.op.operationId === id)!;
      expect(found.op.responses['429'], id).toBeDefined();
    }
  });

  it('states the configured text limit, and the server enforces exactly it (413 past it)', async () => {
    const send = op('POST', '/api/v1/conversations/{cid}/messages');
    expect(send.requestBody!.content['application/json']!.schema.properties.text.maxLength).toBe(TEXT_LIMIT);
    const a = await registerUser(s.api, 'texter');
    const b = await registerUser(s.api, 'reader');
    await befriend(s.app, a.user.id, b.user.id);
    const url = `/api/v1/conversations/${dmId(a.user.id, b.user.id)}/messages`;
    const at = await s.api.post(url, { clientId: 'c1', kind: 'text', text: 'x'.repeat(TEXT_LIMIT) }, a.token);
    expect(at.status).toBe(201);
    const over = await s.api.post(url, { clientId: 'c2', kind: 'text', text: 'x'.repeat(TEXT_LIMIT + 1) }, a.token);
    expect(over.status).toBe(413);
    expect(over.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    // Other validation failures keep their code.
    const bad = await s.api.post(url, { clientId: 'c3', kind: 'text', text: 7 }, a.token);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');

    // The history cursor is the type `before`/`after` take, and works when passed back.
    const history = op('GET', '/api/v1/conversations/{cid}/messages');
    const next = history.responses['200'].content['application/json'].schema.properties.next;
    const param = (name: string) => history.parameters!.find((p) => p.name === name)!.schema;
    expect(param('before').type).toBe(next.type);
    expect(param('after').type).toBe(next.type);
    for (let i = 0; i < 3; i++) await s.api.post(url, { clientId: `m${i}`, kind: 'text', text: `m${i}` }, a.token);
    const p1 = await s.api.get(`${url}?limit=2`, a.token);
    expect(p1.body.next).toMatch(new RegExp(next.pattern));
    const p2 = await s.api.get(`${url}?limit=2&before=${p1.body.next}`, a.token);
    expect(p2.status).toBe(200);
    expect(p2.body.items.map((e: { seq: number }) => e.seq)).toEqual([1, 2]);
    expect((await s.api.get(`${url}?before=0`, a.token)).status).toBe(400);
    expect((await s.api.get(`${url}?after=x`, a.token)).status).toBe(400);
  });

  it('sets servers, the license, declared tags and the package version', () => {
    expect(doc.servers?.length).toBeGreaterThan(0);
    expect(doc.info.license.name).toBe('Apache-2.0');
    expect(doc.info.version).toBe(pkg.version);
    const declared = new Set((doc.tags as { name: string }[]).map((t) => t.name));
    for (const { method, path, op: o } of ops) {
      expect(o.tags?.length, `${method} ${path}`).toBeGreaterThan(0);
      for (const t of o.tags!) expect(declared.has(t), `${method} ${path}: tag ${t}`).toBe(true);
    }
  });
});
