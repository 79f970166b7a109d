import { type TLiteral, type TUnion, Type } from '@sinclair/typebox';
import { JOIN_POLICIES, ROLES } from '../../domain/group-rules.js';
import { Id, ref } from '../schemas.js';

/** TypeBox shapes shared by the contacts and groups routes. */
export const UserBrief = Type.Object(
  {
    id: Id,
    username: Type.String(),
    nickname: Type.String(),
    avatar: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'UserBrief', description: 'A user as lists show them' },
);

export const PageQuery = Type.Object({
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'The `next` of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: 'Page size (default 50)' })),
});

export const RequestStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('accepted'),
  Type.Literal('declined'),
  Type.Literal('canceled'),
]);

type Literals<T extends readonly string[]> = { -readonly [K in keyof T]: TLiteral<T[K] & string> };

/** A union of a domain list's literals; the declared return type keeps each literal (a bare `map` widens to string). */
function literals<const T extends readonly string[]>(values: T): TUnion<Literals<T>> {
  return Type.Union(values.map((v) => Type.Literal(v))) as TUnion<Literals<T>>;
}

export const JoinPolicy = literals(JOIN_POLICIES);
export const Role = literals(ROLES);
const Avatar = Type.Union([Type.String(), Type.Null()]);

const groupCardFields = {
  id: Id,
  name: Type.String(),
  avatar: Avatar,
  joinPolicy: JoinPolicy,
  memberCount: Type.Integer(),
};
export const GroupCard = Type.Object(groupCardFields, {
  $id: 'GroupCard',
  description: 'What anyone who may know of a group sees',
});

export const GroupView = Type.Object(
  {
    ...groupCardFields,
    notice: Type.String(),
    ownerId: Id,
    createdAt: Type.Number(),
    conversation: Type.String(),
    role: Role,
    mutedUntil: Type.Union([Type.Number(), Type.Null()]),
  },
  { $id: 'Group', description: 'A group as its members see it, with my role' },
);

export const MemberView = Type.Composite(
  [
    UserBrief,
    Type.Object({
      role: Role,
      mutedUntil: Type.Union([Type.Number(), Type.Null()]),
      joinedAt: Type.Number(),
    }),
  ],
  { $id: 'Member', description: 'A member of a group' },
);

export const GroupRequestView = Type.Object(
  {
    id: Id,
    groupId: Id,
    user: ref(UserBrief),
    message: Type.String(),
    status: RequestStatus,
    createdAt: Type.Number(),
  },
  { $id: 'GroupRequest', description: 'A request to join a group' },
);
