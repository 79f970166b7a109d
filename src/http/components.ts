import type { TSchema } from '@sinclair/typebox';
import { ConversationSummary, Entry, EntryMedia, MessageAck, ReadPosition } from './routes/conversation-schemas.js';
import { BlockedView, FriendView, RequestView } from './routes/contacts.js';
import { ForwardResult } from './routes/forward.js';
import { MediaView } from './routes/media.js';
import { Badges } from './routes/profiles.js';
import { SearchHit, SearchPage, SearchSnippet } from './routes/search.js';
import { InvitePreview, InviteView } from './routes/invites.js';
import { LastSeenView } from './routes/last-seen.js';
import { SeenCount, SeenPage } from './routes/receipts.js';
import { PushSubscriptionView, VapidKey } from './routes/push.js';
import { MARK_SCHEMAS } from './routes/mark-schemas.js';
import { GroupCard, GroupRequestView, GroupView, MemberView, UserBrief } from './routes/social-schemas.js';
import { AuthReply, ErrorReply, LoginChallenge, Ok, PrivateUser, PublicUser, Session } from './schemas.js';

/**
 * Every named shape of the API, registered once on the server (`app.addSchema`) before any
 * route, referenced by the routes through `ref`, and listed by name in the OpenAPI document's
 * `components.schemas`. Their names are part of the contract: generated clients use them.
 */
export const COMPONENT_SCHEMAS: readonly TSchema[] = [
  ErrorReply,
  Ok,
  PublicUser,
  PrivateUser,
  AuthReply,
  Session,
  UserBrief,
  RequestView,
  FriendView,
  BlockedView,
  GroupCard,
  GroupView,
  MemberView,
  GroupRequestView,
  EntryMedia,
  Entry,
  ConversationSummary,
  MessageAck,
  ReadPosition,
  MediaView,
  Badges,
  SearchSnippet,
  SearchHit,
  SearchPage,
  InviteView,
  InvitePreview,
  LastSeenView,
  SeenCount,
  SeenPage,
  ForwardResult,
  PushSubscriptionView,
  VapidKey,
  LoginChallenge,
  ...MARK_SCHEMAS,
];
