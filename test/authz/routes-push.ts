import { createECDH, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { type MatrixEntry, V, type User, type World } from './matrix-types.js';

/** A browser-shaped subscription body (nothing is ever sent to it in these cases). */
function subscriptionBody() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    endpoint: `https://push.example.com/send/${randomBytes(8).toString('hex')}`,
    keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') },
  };
}

async function subscribed(w: World, u: User): Promise<string> {
  const r = await w.api.post(`${V}/me/push-subscriptions`, subscriptionBody(), u.token);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id;
}

/** Web Push: the key for any signed-in user; subscriptions are the caller's own, per session. */
export const entries: MatrixEntry[] = [
  {
    route: 'GET /api/v1/push/vapid-key',
    setup: async (w) => {
      const u = await w.user('pkey');
      return {
        path: `${V}/push/vapid-key`,
        cases: [
          {
            who: 'any user',
            token: u.token,
            expect: 200,
            check: (b) => expect(b.publicKey).toMatch(/^[A-Za-z0-9_-]{87}$/),
          },
        ],
      };
    },
  },
  {
    route: 'POST /api/v1/me/push-subscriptions',
    setup: async (w) => {
      const u = await w.user('psub');
      return {
        path: `${V}/me/push-subscriptions`,
        body: subscriptionBody(),
        cases: [{ who: 'the user', token: u.token, expect: 201, check: (b) => expect(b.current).toBe(true) }],
      };
    },
  },
  {
    route: 'GET /api/v1/me/push-subscriptions',
    setup: async (w) => {
      const [u, other] = await w.users(2, 'plist');
      const theirs = await subscribed(w, other!);
      await subscribed(w, u!);
      return {
        path: `${V}/me/push-subscriptions`,
        cases: [{ who: 'the user', token: u!.token, expect: 200, check: (b) => expect(b.items).toHaveLength(1) }],
        secrets: [theirs],
      };
    },
  },
  {
    route: 'DELETE /api/v1/me/push-subscriptions/:id',
    setup: async (w) => {
      const [u, stranger] = await w.users(2, 'pdel');
      const id = await subscribed(w, u!);
      return {
        path: `${V}/me/push-subscriptions/${id}`,
        cases: [
          { who: 'stranger', token: stranger!.token, expect: 404, code: 'NOT_FOUND' },
          { who: 'the user', token: u!.token, expect: 200 },
          { who: 'the user, again', token: u!.token, expect: 404 },
        ],
      };
    },
  },
];
