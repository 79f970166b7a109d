import type { PrivateUser, PublicUser } from '@parley/client';
import type { UserRow } from '../store/users.js';

export function publicUser(u: UserRow): PublicUser {
  const v: PublicUser = {
    id: u.id,
    username: u.username,
    nickname: u.nickname,
    avatar: u.avatar,
    gender: u.gender,
    bio: u.bio,
  };
  // A deleted account keeps its id (history names it) and says it is gone.
  if (u.deleted_at != null) v.deleted = true;
  return v;
}

export function privateUser(u: UserRow): PrivateUser {
  return { ...publicUser(u), mobile: u.mobile, createdAt: u.created_at, lastSeen: u.last_seen_privacy };
}
