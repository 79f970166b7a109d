import type { ConversationSummary, Entry, MediaRef } from '../../../src/protocol/frames.js';

export type { ConversationSummary, Entry, MediaRef };

export interface PublicUser {
  id: string;
  username: string;
  nickname: string;
  avatar: string | null;
  gender: string;
  bio: string;
}

export interface PrivateUser extends PublicUser {
  mobile: string | null;
  createdAt: number;
}

export interface AuthReply {
  user: PrivateUser;
  token: string;
}

export interface SessionView {
  id: string;
  device: string;
  ip: string;
  createdAt: number;
  lastSeenAt: number;
  current: boolean;
}

export interface Page<T> {
  items: T[];
  next?: string;
}

/** A friend, with my private remark for them. */
export interface Contact {
  user: PublicUser;
  remark: string;
  createdAt?: number;
  online?: boolean;
}

export interface ContactRequest {
  id: string;
  from: PublicUser;
  to: PublicUser;
  message: string;
  status: string;
  createdAt: number;
}

export type GroupRole = 'owner' | 'admin' | 'member';
export type JoinPolicy = 'open' | 'approval' | 'invite';

export interface Group {
  id: string;
  name: string;
  avatar: string | null;
  notice: string;
  ownerId: string;
  joinPolicy: JoinPolicy;
  memberCount: number;
  createdAt?: number;
  /** My role, when I am a member. */
  role?: GroupRole;
}

export interface Member {
  user: PublicUser;
  role: GroupRole;
  mutedUntil: number | null;
  joinedAt?: number;
}

export interface GroupRequest {
  id: string;
  groupId: string;
  user: PublicUser;
  message: string;
  status: string;
  createdAt: number;
}

/** What POST /media answers: the stored object with fresh signed URLs. */
export type Media = MediaRef;
