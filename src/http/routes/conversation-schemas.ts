import { type Static, Type } from '@sinclair/typebox';
import {
  ENTRY_KINDS,
  type MediaRef,
  type ConversationSummary as SummaryType,
  type Entry as EntryType,
  type ReactionCount as ReactionCountType,
} from '@parley/client';
import { ref } from '../schemas.js';

/** Reply shapes of the conversation routes, named in the OpenAPI document (@parley/client's frames.ts is the source). */

export const EntryMedia = Type.Object(
  {
    id: Type.String(),
    kind: Type.Union([Type.Literal('image'), Type.Literal('audio'), Type.Literal('video'), Type.Literal('file')]),
    mime: Type.String(),
    size: Type.Number(),
    name: Type.Optional(Type.String()),
    width: Type.Optional(Type.Number()),
    height: Type.Optional(Type.Number()),
    durationMs: Type.Optional(Type.Number()),
    url: Type.Optional(Type.String({ description: 'Signed, expiring URL of the bytes' })),
    thumbUrl: Type.Optional(
      Type.String({ description: 'Signed URL of the thumbnail (images, and videos uploaded with a poster)' }),
    ),
    poster: Type.Optional(Type.Boolean({ description: 'A video uploaded with a poster frame: thumbUrl shows it' })),
  },
  { $id: 'EntryMedia', description: 'A media object as carried in an entry, with URLs signed for the reader' },
);

export const ReactionCount = Type.Object(
  {
    emoji: Type.String(),
    count: Type.Integer({ minimum: 1 }),
    me: Type.Optional(Type.Boolean({ description: 'Set when the reader is one of them (history pages)' })),
  },
  { $id: 'ReactionCount', description: 'How many reacted to a message with one emoji' },
);

export const Entry = Type.Object(
  {
    id: Type.String(),
    conversation: Type.String(),
    seq: Type.Integer(),
    sender: Type.Union([Type.String(), Type.Null()], { description: 'null for system entries' }),
    kind: Type.Union(ENTRY_KINDS.map((k) => Type.Literal(k))),
    ts: Type.Number({ description: 'Epoch ms' }),
    clientId: Type.Optional(Type.String()),
    text: Type.Optional(Type.String()),
    caption: Type.Optional(Type.String({ description: 'image/video: the caption under the picture' })),
    media: Type.Optional(ref(EntryMedia)),
    replyTo: Type.Optional(Type.Integer({ description: 'The seq replied to' })),
    mentions: Type.Optional(Type.Array(Type.String())),
    data: Type.Optional(
      Type.Object(
        {},
        {
          additionalProperties: true,
          description: 'Kind-specific payload: sticker `{id}`, link `{url,title?}`, contact `{userId}`, custom: any',
        },
      ),
    ),
    target: Type.Optional(Type.Integer({ description: 'recall/edit: the seq acted on' })),
    editedAt: Type.Optional(Type.Number({ description: 'Set on a message that was later edited' })),
    recalled: Type.Optional(Type.Boolean({ description: 'Set on a message that was later recalled' })),
    forwarded: Type.Optional(
      Type.Object(
        {
          from: Type.Optional(
            Type.String({ description: 'The original sender (only when the forwarder may see them)' }),
          ),
          name: Type.Optional(Type.String({ description: "The original sender's nickname when it was forwarded" })),
        },
        { description: 'Set on a forwarded copy (docs/protocol.md, Forwarding)' },
      ),
    ),
    system: Type.Optional(
      Type.Object(
        {
          action: Type.String(),
          actor: Type.Optional(Type.String()),
          users: Type.Optional(Type.Array(Type.String())),
          name: Type.Optional(Type.String()),
        },
        { additionalProperties: true, description: 'system entries: what happened' },
      ),
    ),
    emoji: Type.Optional(Type.String({ description: 'react/unreact: the emoji added or removed by the sender' })),
    reactions: Type.Optional(
      Type.Array(ref(ReactionCount), {
        description:
          'Messages in history: reactions per emoji (first added first). react/unreact: the target’s counts after the change',
      }),
    ),
    pinned: Type.Optional(Type.Boolean({ description: 'Messages in history: set while pinned' })),
  },
  {
    $id: 'Entry',
    description: 'One entry of a conversation: a message, or a recall/edit/system entry (docs/protocol.md)',
  },
);

export const ConversationSummary = Type.Object(
  {
    id: Type.String(),
    kind: Type.Union([Type.Literal('dm'), Type.Literal('group')]),
    maxSeq: Type.Integer(),
    minSeq: Type.Integer(),
    readSeq: Type.Integer(),
    unread: Type.Integer(),
    muted: Type.Boolean(),
    pinned: Type.Boolean(),
    lastMessage: Type.Optional(ref(Entry)),
    peer: Type.Optional(Type.String({ description: 'direct chats: the other user' })),
    groupId: Type.Optional(Type.String()),
    peerReadSeq: Type.Optional(Type.Integer({ description: "direct chats: the other member's read position" })),
    peerDeliveredSeq: Type.Optional(
      Type.Integer({ description: "direct chats: how far the other member's devices received" }),
    ),
  },
  { $id: 'ConversationSummary', description: 'A conversation as its list shows it' },
);

export const MessageAck = Type.Object(
  {
    clientId: Type.String(),
    conversation: Type.String(),
    seq: Type.Integer(),
    id: Type.String(),
    ts: Type.Number(),
  },
  { $id: 'MessageAck', description: 'A committed send (a resend answers the original)' },
);

export const ReadPosition = Type.Object(
  { conversation: Type.String(), readSeq: Type.Integer() },
  { $id: 'ReadPosition', description: 'My read position in a conversation' },
);

type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
type Check<T extends true> = T;
/** Every field of the protocol's types is in its schema and no other: a drift fails to compile. */
export type _FramesMatch = Check<SameKeys<Static<typeof Entry>, EntryType>> &
  Check<SameKeys<Static<typeof EntryMedia>, MediaRef>> &
  Check<SameKeys<Static<typeof ReactionCount>, ReactionCountType>> &
  Check<SameKeys<Static<typeof ConversationSummary>, SummaryType>>;
