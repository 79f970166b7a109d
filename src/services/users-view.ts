import type { UserRow } from '../store/users.js';

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

export function publicUser(u: UserRow): PublicUser {
  return { id: u.id, username: u.username, nickname: u.nickname, avatar: u.avatar, gender: u.gender, bio: u.bio };
}

export function privateUser(u: UserRow): PrivateUser {
  return { ...publicUser(u), mobile: u.mobile, createdAt: u.created_at };
}
