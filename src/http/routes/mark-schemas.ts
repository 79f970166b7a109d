import { Type } from '@sinclair/typebox';
import { MAX_EMOJI_LENGTH } from '../../domain/marks.js';
import { PublicUser, ref } from '../schemas.js';
import { Entry, ReactionCount } from './conversation-schemas.js';

/** Reply shapes of the reaction and pin routes, named in the OpenAPI document. */

export const Emoji = Type.String({
  minLength: 1,
  maxLength: MAX_EMOJI_LENGTH,
  description: 'Exactly one emoji (one grapheme: ZWJ sequences, flags and skin tones count as one)',
});

export const Reactor = Type.Object(
  {
    user: ref(PublicUser),
    emoji: Type.String(),
    ts: Type.Number({ description: 'When they reacted (epoch ms)' }),
  },
  { $id: 'Reactor', description: 'One reaction to a message: who, with what, when' },
);

export const PinnedMessage = Type.Object(
  {
    seq: Type.Integer(),
    pinnedBy: Type.String({ description: 'The user who pinned it' }),
    pinnedAt: Type.Number({ description: 'Epoch ms' }),
    entry: ref(Entry),
  },
  { $id: 'PinnedMessage', description: 'A pinned message of a conversation' },
);

/** Registered with the other named shapes (components.ts). */
export const MARK_SCHEMAS = [ReactionCount, Reactor, PinnedMessage];
