import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { V } from '../social/helpers.js';
import { testDialects } from '../support/databases.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { until } from '../support/ws-clients.js';

/** A local SMTP server on 127.0.0.1 that keeps every message it receives, parsed. */
async function localSmtp() {
  const mails: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, cb) {
      simpleParser(stream)
        .then((m) => {
          mails.push(m);
          cb();
        })
        .catch(cb);
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as AddressInfo).port;
  return { mails, url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const PUBLIC = 'https://chat.example.test';

describe.each(testDialects())('e-mail verification and reset by e-mail on %s', (dialect) => {
  let s: TestServer;
  let smtp: Awaited<ReturnType<typeof localSmtp>>;
  beforeAll(async () => {
    smtp = await localSmtp();
    s = await startServer({
      dialect,
      config: { smtpUrl: smtp.url, mailFrom: 'Parley <no-reply@example.test>', publicUrl: PUBLIC },
    });
  });
  afterAll(async () => {
    await s?.close();
    await smtp?.close();
  });

  const linkIn = (m: ParsedMail, kind: string) =>
    m.text?.match(new RegExp(`${PUBLIC.replace(/\./g, '\\.')}/#/${kind}/([A-Za-z0-9_-]+)`))?.[1];

  it('verifies an address by its link, then resets the password by e-mail; unknown addresses look the same', async () => {
    const { api } = s;
    const u = await registerUser(api, 'mail');
    const addr = `${u.username}@example.test`;
    expect((await api.get(`${V}/me/email`, u.token)).body).toEqual({ email: null, verified: false });
    expect((await api.put(`${V}/me/email`, { email: addr }, u.token)).status).toBe(200);
    await until(() => smtp.mails.some((m) => m.to && JSON.stringify(m.to).includes(addr)));
    const verifyMail = smtp.mails.find((m) => JSON.stringify(m.to).includes(addr))!;
    expect(verifyMail.from?.text).toContain('no-reply@example.test');
    const vcode = linkIn(verifyMail, 'verify-email');
    expect(vcode).toBeDefined();

    // Before verification, a reset by e-mail sends nothing (but answers the same).
    const before = smtp.mails.length;
    expect((await api.post(`${V}/auth/reset/email`, { email: addr })).status).toBe(202);
    expect((await api.post(`${V}/auth/verify-email`, { code: vcode })).status).toBe(200);
    expect((await api.post(`${V}/auth/verify-email`, { code: vcode })).status).toBe(401);
    expect((await api.get(`${V}/me/email`, u.token)).body).toEqual({ email: addr, verified: true });

    // Unknown address: the same reply, no mail.
    const unknown = await api.post(`${V}/auth/reset/email`, { email: 'nobody@example.test' });
    expect(unknown.status).toBe(202);
    expect(unknown.body).toEqual({ ok: true });
    const known = await api.post(`${V}/auth/reset/email`, { email: addr.toUpperCase() });
    expect(known.status).toBe(202);
    expect(known.body).toEqual(unknown.body);
    await until(() => smtp.mails.some((m) => m.subject?.includes('Reset')));
    // Only the verified address got a reset mail; the request before verification and the unknown one sent none.
    const resets = smtp.mails.filter((m) => m.subject?.includes('Reset'));
    expect(resets).toHaveLength(1);
    expect(smtp.mails.length).toBe(before + 1);
    const rcode = linkIn(resets[0]!, 'reset');
    expect(rcode).toBeDefined();
    // The code rides in the fragment, which no server log sees.
    expect(s.logs.text).not.toContain(rcode!);

    expect((await api.post(`${V}/auth/reset`, { code: rcode, password: 'reset by mail pw' })).status).toBe(200);
    expect((await api.post(`${V}/auth/reset`, { code: rcode, password: 'again by mail pw' })).status).toBe(401);
    expect((await api.post(`${V}/auth/login`, { login: u.username, password: 'reset by mail pw' })).status).toBe(200);
    expect((await api.get(`${V}/me`, u.token)).status).toBe(401);
  });

  it('throttles reset requests per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await s.api.post(`${V}/auth/reset/email`, { email: 'flood@example.test' })).status);
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
  });
});

describe('without SMTP', () => {
  it('e-mail routes answer 501 MAIL_NOT_CONFIGURED', async () => {
    const s = await startServer();
    try {
      const u = await registerUser(s.api, 'nomail');
      const r = await s.api.put(`${V}/me/email`, { email: 'a@example.test' }, u.token);
      expect(r.status).toBe(501);
      expect(r.body.error.code).toBe('MAIL_NOT_CONFIGURED');
      expect((await s.api.post(`${V}/auth/reset/email`, { email: 'a@example.test' })).status).toBe(501);
    } finally {
      await s.close();
    }
  });
});
