import type { components, operations } from './openapi.js';

type Schemas = components['schemas'];

/**
 * Shapes of REST replies that clients name: the web client imports these as types, the
 * services build them. They live with the wire contract so a client never imports a service.
 */

/** What anyone may see of a user. */
export interface PublicUser {
  id: string;
  username: string;
  nickname: string;
  avatar: string | null;
  gender: string;
  bio: string;
  /** Set on a deleted account: its profile is erased and its name shows as "Deleted account". */
  deleted?: true;
}

/** What a user sees of themselves. */
export interface PrivateUser extends PublicUser {
  mobile: string | null;
  createdAt: number;
  /** Who may see when I was last online (`PATCH /me` `lastSeen`). */
  lastSeen: 'everyone' | 'contacts' | 'nobody';
}

/** One of my live sessions (`GET /me/sessions`); `current` marks the one asking. */
export interface SessionView {
  id: string;
  device: string;
  ip: string;
  createdAt: number;
  lastSeenAt: number;
  current: boolean;
}

// The replies of the `rest` helper (rest.ts), generated from the server's OpenAPI document
// (openapi.ts, `npm run gen:api`; a test fails when it drifts from the served document).

/** `POST /auth/register`, `POST /auth/login`: the account and the new session's bearer token. */
export type AuthReply = Schemas['AuthReply'];

/** Every list reply; `next` is an opaque cursor for the following page, absent on the last. */
export interface Page<T> {
  items: T[];
  next?: string;
}

/** `POST /conversations/:cid/messages`: the socket's `ack` without its `type`. */
export type RestAck = Schemas['MessageAck'];

/** The body of every failed REST reply. */
export type ErrorReply = Schemas['ErrorReply'];

/** The JSON body of an operation of the document, by its operationId. */
export type RequestBody<Op extends keyof operations> = operations[Op] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;
