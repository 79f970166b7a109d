import type { Entry, EntryKind, MediaRef, UserEvent } from '@parley/client';
import type { EntryRow, UserEventRow } from '../store/log.js';

/** Adds fresh signed URLs to a media reference when an entry is handed out. */
export type MediaSigner = (ref: MediaRef) => MediaRef;

/** A stored entry as clients see it. A recalled message keeps its place but loses its content. */
export function toEntry(row: EntryRow, sign?: MediaSigner): Entry {
  const body = (typeof row.body === 'string' ? JSON.parse(row.body) : row.body) as Partial<Entry>;
  const e: Entry = {
    id: row.id,
    conversation: row.conversation_id,
    seq: Number(row.seq),
    sender: row.sender_id,
    kind: row.kind as EntryKind,
    ts: Number(row.created_at),
  };
  if (row.client_id) e.clientId = row.client_id;
  if (row.target_seq != null) e.target = Number(row.target_seq);
  if (row.recalled_at != null) {
    e.recalled = true;
    return e;
  }
  if (body.text !== undefined) e.text = body.text;
  if (body.caption !== undefined) e.caption = body.caption;
  if (body.media) e.media = sign ? sign(body.media) : body.media;
  if (body.replyTo !== undefined) e.replyTo = body.replyTo;
  if (body.mentions) e.mentions = body.mentions;
  if (body.data) e.data = body.data;
  if (body.system) e.system = body.system;
  if (body.forwarded) e.forwarded = body.forwarded;
  if (body.emoji !== undefined) e.emoji = body.emoji;
  if (body.reactions) e.reactions = body.reactions;
  if (row.edited_at != null) e.editedAt = Number(row.edited_at);
  return e;
}

export function toUserEvent(row: UserEventRow): UserEvent {
  return { seq: Number(row.seq), kind: row.kind, payload: JSON.parse(row.payload), ts: Number(row.created_at) };
}
