import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../support/server.js';

function makeCert(dir: string) {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  return { key, cert };
}

function get(url: string, ca: Buffer): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

describe('TLS', () => {
  it('serves https with HSTS when a certificate is configured', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-tls-'));
    const { key, cert } = makeCert(dir);
    const s = await startServer({ config: { tlsCert: cert, tlsKey: key } });
    try {
      expect(s.url).toMatch(/^https:\/\//);
      const r = await get(`${s.url}/healthz`, fs.readFileSync(cert));
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toEqual({ ok: true });
      expect(r.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      // An untrusted client refuses the self-signed certificate: it really is TLS.
      await expect(new Promise((res, rej) => https.get(`${s.url}/healthz`, res).on('error', rej))).rejects.toThrow();
    } finally {
      await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
