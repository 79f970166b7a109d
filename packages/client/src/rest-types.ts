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

/*
 * The REST calls of the `rest` helper (rest.ts), written to match the server's replies today.
 * To be replaced by the types generated from the OpenAPI document (web/src/api/openapi.d.ts)
 * once that file exists in the same tree.
 */

/** `POST /auth/register` and `POST /auth/login`: the account and a new session's bearer token. */
export interface AuthReply {
  user: PrivateUser;
  token: string;
}

/** Every list reply: `next` is an opaque cursor for the following page, absent on the last one. */
export interface Page<T> {
  items: T[];
  next?: string;
}

/** The body of every failed REST reply. */
export interface ErrorReply {
  error: { code: string; message: string; temporary?: true };
}

export interface RegisterInput {
  username: string;
  password: string;
  nickname: string;
  mobile?: string;
  gender?: string;
  bio?: string;
  /** Shown in the account's session list. */
  device?: string;
}

/** `login` is a username or a mobile number. */
export interface LoginInput {
  login: string;
  password: string;
  device?: string;
}

/** `GET /conversations/:cid/messages`: entries below `before` or above `after`, ascending. */
export interface HistoryQuery {
  before?: number;
  after?: number;
  limit?: number;
}
