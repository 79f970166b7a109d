import { createECDH, createPublicKey, randomBytes, verify, type ECDH } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as ece from 'http_ece';

/** A subscription as a browser makes one: its own P-256 key pair and auth secret. */
export interface BrowserSubscription {
  name: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
  ecdh: ECDH;
  authSecret: Buffer;
}

/** One push the service received, checked and decrypted. */
export interface ReceivedPush {
  subscription: string;
  headers: http.IncomingHttpHeaders;
  jwt: { aud: string; exp: number; sub: string };
  payload: any;
}

const b64 = (b: Buffer) => b.toString('base64url');

/**
 * A push service on 127.0.0.1, as the tests' stand-in for FCM or Mozilla's autopush: it takes
 * the POST a Web Push sender makes, checks the VAPID `Authorization` header (an ES256 JWT
 * signed by the key named in `k=`, which must be the server's, for this origin, not expired),
 * and decrypts the aes128gcm body with the subscription's private key and auth secret. A
 * request that fails a check is answered 401/400 and recorded in `rejected`.
 */
export class LocalPushService {
  readonly received: ReceivedPush[] = [];
  readonly rejected: string[] = [];
  /** Status to answer per subscription name (default 201). */
  readonly status = new Map<string, number>();
  private readonly subs = new Map<string, BrowserSubscription>();
  private readonly waiters: (() => void)[] = [];
  private server!: http.Server;
  origin = '';

  constructor(private readonly vapidPublicKey: string) {}

  static async start(vapidPublicKey: string): Promise<LocalPushService> {
    const s = new LocalPushService(vapidPublicKey);
    s.server = http.createServer((req, res) => s.handle(req, res));
    await new Promise<void>((r) => s.server.listen(0, '127.0.0.1', r));
    s.origin = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
    return s;
  }

  /** Makes a subscription the way a browser does (node:crypto ECDH on prime256v1). */
  subscription(name: string): BrowserSubscription {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const authSecret = randomBytes(16);
    const sub: BrowserSubscription = {
      name,
      endpoint: `${this.origin}/push/${name}-${b64(randomBytes(6))}`,
      keys: { p256dh: b64(ecdh.getPublicKey()), auth: b64(authSecret) },
      ecdh,
      authSecret,
    };
    this.subs.set(new URL(sub.endpoint).pathname, sub);
    return sub;
  }

  for(name: string): ReceivedPush[] {
    return this.received.filter((p) => p.subscription === name);
  }

  /** Resolves once `count` pushes (in all) arrived, or rejects after `ms`. */
  async waitFor(count: number, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.received.length + this.rejected.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} pushes, got ${this.received.length}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = (status: number, why?: string) => {
        if (why) this.rejected.push(why);
        res.writeHead(status).end();
        for (const w of this.waiters.splice(0)) w();
      };
      const sub = this.subs.get(req.url ?? '');
      if (req.method !== 'POST' || !sub) return answer(404, `unknown ${req.method} ${req.url}`);
      let jwt: ReceivedPush['jwt'];
      try {
        jwt = this.checkVapid(String(req.headers.authorization ?? ''));
      } catch (e) {
        return answer(401, (e as Error).message);
      }
      if (req.headers['content-encoding'] !== 'aes128gcm') return answer(400, 'not aes128gcm');
      let payload: unknown;
      try {
        const plain = ece.decrypt(Buffer.concat(chunks), {
          version: 'aes128gcm',
          privateKey: sub.ecdh,
          authSecret: sub.authSecret,
        });
        payload = JSON.parse(plain.toString('utf8'));
      } catch (e) {
        return answer(400, `cannot decrypt: ${(e as Error).message}`);
      }
      const status = this.status.get(sub.name) ?? 201;
      if (status < 300) this.received.push({ subscription: sub.name, headers: req.headers, jwt, payload });
      else this.rejected.push(`${sub.name} answered ${status}`);
      answer(status);
    });
  }

  /** `vapid t=<jwt>, k=<public key>` (RFC 8292 §3). */
  private checkVapid(header: string): ReceivedPush['jwt'] {
    const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header);
    if (!m) throw new Error(`no VAPID authorization: ${header.slice(0, 40)}`);
    const [, token, k] = m as unknown as [string, string, string];
    if (k !== this.vapidPublicKey) throw new Error('VAPID key is not the server key');
    const [h, p, sig] = token.split('.') as [string, string, string];
    const head = JSON.parse(Buffer.from(h, 'base64url').toString());
    if (head.alg !== 'ES256') throw new Error('JWT is not ES256');
    const point = Buffer.from(k, 'base64url');
    const key = createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: b64(point.subarray(1, 33)), y: b64(point.subarray(33, 65)) },
      format: 'jwk',
    });
    const ok = verify(
      'sha256',
      Buffer.from(`${h}.${p}`),
      { key, dsaEncoding: 'ieee-p1363' },
      Buffer.from(sig, 'base64url'),
    );
    if (!ok) throw new Error('VAPID signature does not verify');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    if (claims.aud !== this.origin) throw new Error(`JWT aud ${claims.aud} is not ${this.origin}`);
    if (!(claims.exp * 1000 > Date.now())) throw new Error('JWT expired');
    if (typeof claims.sub !== 'string') throw new Error('JWT has no sub');
    return claims;
  }
}
