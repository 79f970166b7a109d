/**
 * `@parley/client`: the Parley wire protocol (frame types, codecs, close codes), the protocol
 * client ({@link ParleyClient}) with its parts, and a typed helper for the REST calls a client
 * needs before and beside the socket ({@link createRest}). Isomorphic: no Node-only import.
 */
export * from './client.js';
export { newClientId } from './client-id.js';
export { Outbox, type AckedFrame, type OutboxOptions } from './client-outbox.js';
export { EntryOrder } from './client-order.js';
export { SyncController, type SyncHost, type SyncOptions } from './client-sync.js';
export { ReceivedReporter } from './client-received.js';
export * from './codec.js';
export { FrameError } from './frame-error.js';
export * from './frames.js';
export { AMEND_KINDS, type AmendKind, isAmendKind, isMessageKind } from './message-kinds.js';
export {
  PIN_KINDS,
  type PinKind,
  REACTION_KINDS,
  type ReactionKind,
  isPinKind,
  isReactionKind,
} from './message-kinds.js';
export * from './rest.js';
export type * from './rest-types.js';
export { type Measure, measureJson, withinDepth } from './value-bounds.js';
export type * from './search-types.js';
