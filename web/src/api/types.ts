import type { ConversationSummary, Entry, MediaRef } from '../../../src/protocol/frames.js';

export type { ConversationSummary, Entry, MediaRef };

// The server's own shapes, imported as types only (erased from the bundle), so they cannot drift.
export type { PrivateUser, PublicUser } from '../../../src/services/users-view.js';
export type { SessionView } from '../../../src/services/accounts.js';
import type { PrivateUser, PublicUser } from '../../../src/services/users-view.js';

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
