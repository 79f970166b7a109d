import fs from 'node:fs';
import path from 'node:path';
import webpush from 'web-push';

/** The server's VAPID identity (RFC 8292): the key pair push services know it by. */
export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

/**
 * The configured pair, or the pair kept in `<dataDir>/vapid.json` (made once, mode 0600). A
 * subscription is bound to the public key it was made with, so the pair must never change
 * under existing subscriptions, and every node must use the same one (configure it for
 * clusters: each node's data dir would otherwise hold its own).
 */
export function loadVapidKeys(opts: {
  dataDir: string;
  publicKey?: string;
  privateKey?: string;
  subject: string;
}): VapidKeys {
  if (opts.publicKey || opts.privateKey) {
    if (!opts.publicKey || !opts.privateKey)
      throw new Error('Set both PARLEY_VAPID_PUBLIC_KEY and PARLEY_VAPID_PRIVATE_KEY, or neither');
    return { publicKey: opts.publicKey, privateKey: opts.privateKey, subject: opts.subject };
  }
  const file = path.join(opts.dataDir, 'vapid.json');
  try {
    const kept = JSON.parse(fs.readFileSync(file, 'utf8')) as { publicKey?: unknown; privateKey?: unknown };
    if (typeof kept.publicKey === 'string' && typeof kept.privateKey === 'string')
      return { publicKey: kept.publicKey, privateKey: kept.privateKey, subject: opts.subject };
    throw new Error(`${file} holds no VAPID key pair; delete it to make a new one (existing subscriptions end)`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const keys = webpush.generateVAPIDKeys();
  try {
    // `wx`: two processes starting on one data dir cannot both write a pair.
    fs.writeFileSync(file, JSON.stringify(keys), { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return loadVapidKeys(opts);
    throw e;
  }
  return { ...keys, subject: opts.subject };
}
