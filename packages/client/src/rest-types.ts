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
}

/** What a user sees of themselves. */
export interface PrivateUser extends PublicUser {
  mobile: string | null;
  createdAt: number;
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

// Below: the replies of the `rest` helper (rest.ts), matching the server today; to be taken from
// the types generated from the OpenAPI document when that file is in the same tree.

/** `POST /auth/register`, `POST /auth/login`: the account and the new session's bearer token. */
export interface AuthReply {
  user: PrivateUser;
  token: string;
}

/** Every list reply; `next` is an opaque cursor for the following page, absent on the last. */
export interface Page<T> {
  items: T[];
  next?: string;
}

/** `POST /conversations/:cid/messages`: the socket's `ack` without its `type`. */
export interface RestAck {
  clientId: string;
  conversation: string;
  seq: number;
  id: string;
  ts: number;
}

/** The body of every failed REST reply. */
export interface ErrorReply {
  error: { code: string; message: string; temporary?: true };
}
