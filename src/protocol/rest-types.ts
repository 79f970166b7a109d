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
