import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import webpush from 'web-push';
import { afterAll, describe, expect, it } from 'vitest';
import { loadVapidKeys } from '../../src/push/vapid-keys.js';
import { registerUser, startServer } from '../support/server.js';

/** Where the VAPID pair comes from: configuration wins; otherwise one pair, made once, kept. */
describe('VAPID keys', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-vapid-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('are made once into the data dir and read back on the next start', () => {
    const dataDir = tmp();
    const first = loadVapidKeys({ dataDir, subject: 'mailto:ops@example.com' });
    const again = loadVapidKeys({ dataDir, subject: 'mailto:ops@example.com' });
    expect(again).toEqual(first);
    expect(fs.statSync(path.join(dataDir, 'vapid.json')).mode & 0o777).toBe(0o600);
  });

  it('come from configuration when set (the same on every node), and nothing is written', async () => {
    const keys = webpush.generateVAPIDKeys();
    const dataDir = tmp();
    const s = await startServer({
      dataDir,
      config: { vapidPublicKey: keys.publicKey, vapidPrivateKey: keys.privateKey },
    });
    try {
      const u = await registerUser(s.api, 'vk');
      expect((await s.api.get('/api/v1/push/vapid-key', u.token)).body).toEqual({ publicKey: keys.publicKey });
      expect(fs.existsSync(path.join(dataDir, 'vapid.json'))).toBe(false);
    } finally {
      await s.close();
    }
  });

  it('refuse half a configured pair, and a data-dir file that holds no pair', () => {
    const { publicKey } = webpush.generateVAPIDKeys();
    expect(() => loadVapidKeys({ dataDir: tmp(), publicKey, subject: 'mailto:a@b.c' })).toThrow(/both/);
    const dataDir = tmp();
    fs.writeFileSync(path.join(dataDir, 'vapid.json'), '{}');
    expect(() => loadVapidKeys({ dataDir, subject: 'mailto:a@b.c' })).toThrow(/no VAPID key pair/);
  });
});
