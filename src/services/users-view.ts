import type { PrivateUser, PublicUser } from '@parley/client';
import type { UserRow } from '../store/users.js';

export function publicUser(u: UserRow): PublicUser {
  return { id: u.id, username: u.username, nickname: u.nickname, avatar: u.avatar, gender: u.gender, bio: u.bio };
}

export function privateUser(u: UserRow): PrivateUser {
  return { ...publicUser(u), mobile: u.mobile, createdAt: u.created_at, lastSeen: u.last_seen_privacy };
}
