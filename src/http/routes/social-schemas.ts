import { Type } from '@sinclair/typebox';
import { Id } from '../schemas.js';

/** TypeBox shapes shared by the contacts and groups routes. */
export const UserBrief = Type.Object({
  id: Id, username: Type.String(), nickname: Type.String(), avatar: Type.Union([Type.String(), Type.Null()]),
});

export const PageQuery = Type.Object({
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'The `next` of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: 'Page size (default 50)' })),
});

export const RequestStatus = Type.Union([Type.Literal('pending'), Type.Literal('accepted'), Type.Literal('declined'), Type.Literal('canceled')]);

export const JoinPolicy = Type.Union([Type.Literal('open'), Type.Literal('approval'), Type.Literal('invite')]);
export const Role = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')]);
const Avatar = Type.Union([Type.String(), Type.Null()]);

export const GroupCard = Type.Object({
  id: Id, name: Type.String(), avatar: Avatar, joinPolicy: JoinPolicy, memberCount: Type.Integer(),
});

export const GroupView = Type.Composite([GroupCard, Type.Object({
  notice: Type.String(), ownerId: Id, createdAt: Type.Number(), conversation: Type.String(),
  role: Role, mutedUntil: Type.Union([Type.Number(), Type.Null()]),
})]);

export const MemberView = Type.Composite([UserBrief, Type.Object({
  role: Role, mutedUntil: Type.Union([Type.Number(), Type.Null()]), joinedAt: Type.Number(),
})]);

export const GroupRequestView = Type.Object({
  id: Id, groupId: Id, user: UserBrief, message: Type.String(),
  status: RequestStatus, createdAt: Type.Number(),
});
