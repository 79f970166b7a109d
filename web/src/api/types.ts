import type { components, operations } from './openapi.js';

// The REST shapes, generated from the server's OpenAPI document (openapi.ts, `npm run gen:api`):
// the names are the document's components.schemas, so a renamed or retyped field fails to compile.
type Schemas = components['schemas'];

export type PublicUser = Schemas['PublicUser'];
export type PrivateUser = Schemas['PrivateUser'];
export type UserBrief = Schemas['UserBrief'];
export type AuthReply = Schemas['AuthReply'];
export type LoginChallenge = Schemas['LoginChallenge'];
export type SessionView = Schemas['Session'];
export type ContactRequest = Schemas['ContactRequest'];
export type Friend = Schemas['Friend'];
export type Blocked = Schemas['Blocked'];
export type GroupCard = Schemas['GroupCard'];
export type GroupView = Schemas['Group'];
export type GroupMember = Schemas['Member'];
export type GroupRequest = Schemas['GroupRequest'];
export type Entry = Schemas['Entry'];
export type MediaRef = Schemas['EntryMedia'];
/** What POST /media answers: the stored object with fresh signed URLs. */
export type Media = Schemas['Media'];
export type ConversationSummary = Schemas['ConversationSummary'];
export type JoinPolicy = GroupCard['joinPolicy'];
export type GroupRole = GroupView['role'];

export interface Page<T> {
  items: T[];
  next?: string;
}

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
/** The JSON reply of an operation (by its operationId) at a status. */
export type Reply<Op extends keyof operations, S extends number = 200> =
  operations[Op]['responses'] extends Record<S, infer R> ? JsonOf<R> : never;
/** The JSON body of an operation (by its operationId). */
export type Body<Op extends keyof operations> = JsonOf<NonNullable<operations[Op]['requestBody']>>;

// Screens show a person and what is about them apart; these split a listed user off the rest.

/** A friend: the user, and my remark, presence and the time we became friends. */
export type Contact = { user: UserBrief } & Omit<Friend, keyof UserBrief>;
/** A group member: the user, and their role and mute. */
export type Member = { user: UserBrief } & Omit<GroupMember, keyof UserBrief>;
/** A group as I may know it: always its card; the rest when I am a member (`role` set). */
export type Group = GroupCard & Partial<Omit<GroupView, keyof GroupCard>>;
