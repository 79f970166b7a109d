import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { befriend } from '../support/social-fixtures.js';
import { RawSocket } from '../support/ws-clients.js';

const V = '/api/v1';

/**
 * U+0000 in any input: PostgreSQL's text types cannot hold it, and it reached the database as
 * a 500 (found by the REST fuzz: `{"login":"\u0000"}`). Every dialect answers the same 400.
 */
describe.each(testDialects())('NUL characters in input on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ dialect });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('a JSON body with \\u0000 anywhere is refused 400 VALIDATION_FAILED, and nothing is stored', async () => {
    const login = await s.api.req('POST', `${V}/auth/login`, { raw: '{"login":"\\u0000","password":"whatever pass"}' });
    expect(login.status).toBe(400);
    expect(login.body.error.code).toBe('VALIDATION_FAILED');
    const reg = await s.api.req('POST', `${V}/auth/register`, {
      raw: '{"username":"nul_user","password":"a long password","nickname":"A\\u0000B"}',
    });
    expect(reg.status).toBe(400);
    expect(reg.body.error.code).toBe('VALIDATION_FAILED');
    expect((await s.api.post(`${V}/auth/login`, { login: 'nul_user', password: 'a long password' })).status).toBe(401);
  });

  it('a literal backslash-u0000 (an escaped backslash) is ordinary text', async () => {
    const a = await registerUser(s.api, 'bs');
    const r = await s.api.req('PATCH', `${V}/me`, { raw: '{"bio":"C:\\\\u0000 is a path"}', token: a.token });
    expect(r.status).toBe(200);
    expect(r.body.bio).toBe('C:\\u0000 is a path');
  });

  it('%00 in a path or query is refused 400 VALIDATION_FAILED', async () => {
    const a = await registerUser(s.api, 'nq');
    for (const path of [`${V}/users/search?q=a%00b`, `${V}/search?q=ab%00`, `${V}/users/ab%00cd`]) {
      const r = await s.api.get(path, a.token);
      expect(r.status, path).toBe(400);
      expect(r.body.error.code, path).toBe('VALIDATION_FAILED');
    }
  });

  it('a message text with U+0000 is refused over both transports, alike', async () => {
    const a = await registerUser(s.api, 'ma');
    const b = await registerUser(s.api, 'mb');
    await befriend(s.app, a.user.id, b.user.id);
    const dm = dmId(a.user.id, b.user.id);
    const rest = await s.api.req('POST', `${V}/conversations/${dm}/messages`, {
      raw: '{"clientId":"n1","kind":"text","text":"hi\\u0000there"}',
      token: a.token,
    });
    expect(rest.status).toBe(400);
    expect(rest.body.error.code).toBe('VALIDATION_FAILED');
    const ws = await RawSocket.open(s.url, { token: a.token });
    await ws.next((f) => f.type === 'ready');
    ws.send({ type: 'send', clientId: 'n2', to: dm, kind: 'text', text: 'hi\u0000there' });
    const err = (await ws.next((f) => f.type === 'error')) as { code: string; clientId?: string };
    expect(err.code).toBe('VALIDATION_FAILED');
    // The same text without the NUL goes through; it is the only message stored.
    ws.send({ type: 'send', clientId: 'n3', to: dm, kind: 'text', text: 'hi there' });
    await ws.next((f) => f.type === 'ack');
    ws.close();
    const history = await s.api.get(`${V}/conversations/${dm}/messages`, a.token);
    expect(history.status).toBe(200);
    expect(history.body.items.map((e: { text?: string }) => e.text)).toEqual(['hi there']);
  });
});
