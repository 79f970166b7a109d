import type { FastifyReply, FastifyRequest } from 'fastify';
import { fail } from '../domain/errors.js';
import type { AccountService, Actor } from '../services/accounts.js';
import { bearerToken } from '../transport/bearer.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
  }
}

/** An onRequest hook that resolves the session or answers 401. */
export function requireAuth(accounts: AccountService) {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    const token = bearerToken(req.headers.authorization);
    if (!token) throw fail('UNAUTHENTICATED', 'Send Authorization: Bearer <token>');
    req.actor = await accounts.authenticate(token);
  };
}

/** The authenticated actor of a request that passed {@link requireAuth}. */
export function actor(req: FastifyRequest): Actor {
  if (!req.actor) throw fail('UNAUTHENTICATED', 'Not authenticated');
  return req.actor;
}
