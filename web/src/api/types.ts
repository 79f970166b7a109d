import type { JoinPolicy, Role } from '../../../src/domain/group-rules.js';
import type { ConversationSummary, Entry, MediaRef, PrivateUser, PublicUser } from '@parley/client';

// The server's own shapes, imported as types only (erased from the bundle), so they cannot drift.
export type { ConversationSummary, Entry, JoinPolicy, MediaRef, PrivateUser, PublicUser };
export type { SessionView } from '@parley/client';

export interface AuthReply {
  user: PrivateUser;
  token: string;
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

export type GroupRole = Role;

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
