import { expect } from 'vitest';
import { type MatrixEntry, V } from './matrix-types.js';

/** Contacts: requests act only for their sender or receiver; lists show only the caller's own. */
export const entries: MatrixEntry[] = [
  {
    route: 'POST /api/v1/contacts/requests',
    setup: async (w) => {
      const [a, b, blocker] = await w.users(3);
      await w.block(blocker!, a!);
      return {
        path: `${V}/contacts/requests`,
        body: { userId: b!.user.id, message: 'hi' },
        cases: [
          {
            who: 'blocked user',
            token: a!.token,
            body: { userId: blocker!.user.id },
            expect: 403,
            code: 'FORBIDDEN',
            check: (r) => expect(r.error.message).toBe('You cannot send a request to this user'),
          },
          { who: 'sender', token: a!.token, expect: 201 },
        ],
      };
    },
  },
  {
    route: 'GET /api/v1/contacts/requests',
    setup: async (w) => {
      const [a, b, stranger] = await w.users(3);
      const id = await w.request(a!, b!);
      return {
        path: `${V}/contacts/requests?direction=in`,
        cases: [
          {
            who: 'stranger',
            token: stranger!.token,
            expect: 200,
            check: (r) => expect(JSON.stringify(r)).not.toContain(id),
          },
          {
            who: 'receiver',
            token: b!.token,
            expect: 200,
            check: (r) => expect(r.items.map((x: any) => x.id)).toEqual([id]),
          },
        ],
      };
    },
  },
  ...(['accept', 'decline'] as const).map(
    (verb): MatrixEntry => ({
      route: `POST /api/v1/contacts/requests/:id/${verb}`,
      setup: async (w) => {
        const [a, b, stranger] = await w.users(3);
        const id = await w.request(a!, b!);
        return {
          path: `${V}/contacts/requests/${id}/${verb}`,
          secrets: [a!.user.id],
          cases: [
            { who: 'stranger', token: stranger!.token, expect: 404, code: 'REQUEST_NOT_FOUND' },
            { who: 'sender', token: a!.token, expect: 404, code: 'REQUEST_NOT_FOUND' },
            { who: 'receiver', token: b!.token, expect: 200 },
          ],
        };
      },
    }),
  ),
  {
    route: 'DELETE /api/v1/contacts/requests/:id',
    setup: async (w) => {
      const [a, b, stranger] = await w.users(3);
      const id = await w.request(a!, b!);
      return {
        path: `${V}/contacts/requests/${id}`,
        secrets: [a!.user.id, b!.user.id],
        cases: [
          { who: 'stranger', token: stranger!.token, expect: 404 },
          { who: 'receiver', token: b!.token, expect: 404 },
          { who: 'sender', token: a!.token, expect: 200 },
        ],
      };
    },
  },
  {
    route: 'GET /api/v1/contacts',
    setup: async (w) => {
      const [a, b, stranger] = await w.users(3);
      await w.friends(a!, b!);
      return {
        path: `${V}/contacts`,
        cases: [
          { who: 'stranger', token: stranger!.token, expect: 200, check: (r) => expect(r.items).toEqual([]) },
          {
            who: 'friend',
            token: a!.token,
            expect: 200,
            check: (r) => expect(r.items.map((x: any) => x.id)).toEqual([b!.user.id]),
          },
        ],
      };
    },
  },
  {
    route: 'PATCH /api/v1/contacts/:userId',
    setup: async (w) => {
      const [a, b, stranger] = await w.users(3);
      await w.friends(a!, b!);
      return {
        path: `${V}/contacts/${b!.user.id}`,
        body: { remark: 'bee' },
        secrets: [b!.username],
        cases: [
          { who: 'stranger', token: stranger!.token, expect: 403, code: 'NOT_FRIENDS' },
          { who: 'friend', token: a!.token, expect: 200, check: (r) => expect(r.remark).toBe('bee') },
        ],
      };
    },
  },
  {
    route: 'DELETE /api/v1/contacts/:userId',
    setup: async (w) => {
      const [a, b, stranger] = await w.users(3);
      await w.friends(a!, b!);
      return {
        path: `${V}/contacts/${b!.user.id}`,
        cases: [
          { who: 'stranger', token: stranger!.token, expect: 403, code: 'NOT_FRIENDS' },
          { who: 'friend', token: a!.token, expect: 200 },
          { who: 'friend, again', token: a!.token, expect: 403, code: 'NOT_FRIENDS' },
        ],
      };
    },
  },
  {
    route: 'GET /api/v1/blocks',
    setup: async (w) => {
      const [a, b] = await w.users(2);
      await w.block(a!, b!);
      return {
        path: `${V}/blocks`,
        cases: [
          // The blocked user cannot learn who blocked them.
          { who: 'blocked user', token: b!.token, expect: 200, check: (r) => expect(r.items).toEqual([]) },
          {
            who: 'blocker',
            token: a!.token,
            expect: 200,
            check: (r) => expect(r.items.map((x: any) => x.id)).toEqual([b!.user.id]),
          },
        ],
      };
    },
  },
  {
    route: 'PUT /api/v1/blocks/:userId',
    setup: async (w) => {
      const [a, b] = await w.users(2);
      return {
        path: `${V}/blocks/${b!.user.id}`,
        cases: [
          { who: 'self', token: b!.token, expect: 400, code: 'CANNOT_TARGET_SELF' },
          { who: 'user', token: a!.token, expect: 200 },
        ],
      };
    },
  },
  {
    route: 'DELETE /api/v1/blocks/:userId',
    setup: async (w) => {
      const [a, b] = await w.users(2);
      await w.block(a!, b!);
      return {
        path: `${V}/blocks/${b!.user.id}`,
        cases: [
          // The blocked user "unblocking" the blocker touches only their own (empty) list.
          {
            who: 'blocked user',
            token: b!.token,
            path: `${V}/blocks/${a!.user.id}`,
            expect: 200,
            check: async () =>
              expect((await w.api.get(`${V}/blocks`, a!.token)).body.items.map((x: any) => x.id)).toEqual([b!.user.id]),
          },
          {
            who: 'blocker',
            token: a!.token,
            expect: 200,
            check: async () => expect((await w.api.get(`${V}/blocks`, a!.token)).body.items).toEqual([]),
          },
        ],
      };
    },
  },
];
