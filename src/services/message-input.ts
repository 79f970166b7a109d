import { fail } from '../domain/errors.js';
import { isId } from '../domain/id-format.js';
import { type MediaRef, type MessageKind, type SendFrame, measureJson } from '@parley/client';

/** What a client sends (socket `send` frame or REST body), minus the transport. */
export type SendInput = Omit<SendFrame, 'type'>;

/**
 * Looks up an uploaded media object for a message. Implemented by the media service; until it
 * is wired, every media kind answers `MEDIA_NOT_FOUND`.
 *
 * Contract: resolves only media the user may attach (their own upload, or media already shared
 * into a conversation they can read); otherwise throws `MEDIA_NOT_FOUND` (never reveals that the
 * id exists). The returned ref has no URLs: they are signed when an entry is handed out.
 */
export interface MediaResolver {
  resolve(userId: string, mediaId: string): Promise<MediaRef>;
}

export const DATA_LIMIT = 4096;
/** How deep `data` may nest (the `data` object itself is level 1). */
export const DATA_DEPTH = 16;
const CLIENT_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

export function checkClientId(clientId: unknown): string {
  if (typeof clientId !== 'string' || !CLIENT_ID.test(clientId)) {
    throw fail('VALIDATION_FAILED', 'clientId must be 1–64 characters of letters, digits, _ . : -');
  }
  return clientId;
}

export function checkText(text: unknown, limit: number, required: boolean): string | undefined {
  if (text === undefined && !required) return undefined;
  if (typeof text !== 'string' || text.trim().length === 0)
    throw fail('VALIDATION_FAILED', 'text must be a non-empty string');
  if ([...text].length > limit) throw fail('PAYLOAD_TOO_LARGE', `text is longer than ${limit} characters`);
  // The same rule as every REST input (http/no-nul.ts), so both transports refuse alike.
  if (text.includes('\u0000')) throw fail('VALIDATION_FAILED', 'Text must not contain the NUL character (U+0000)');
  return text;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, max: number) => typeof v === 'string' && v.length > 0 && v.length <= max;

/** Kind-specific `data`: shape per kind, and a size bound for all. */
export function checkData(kind: MessageKind, data: unknown): Record<string, unknown> | undefined {
  const needs = kind === 'sticker' || kind === 'link' || kind === 'contact' || kind === 'custom';
  if (data === undefined) {
    if (needs) throw fail('VALIDATION_FAILED', `a ${kind} message needs data`);
    return undefined;
  }
  if (!isObj(data)) throw fail('VALIDATION_FAILED', 'data must be an object');
  // Measured by a bounded walk, never by serializing: the walk stops at the first bound passed.
  const m = measureJson(data, DATA_LIMIT, DATA_DEPTH);
  if (!m.ok) throw fail(m.why === 'size' ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION_FAILED', `data ${m.message}`);
  switch (kind) {
    case 'sticker':
      if (
        !str(data.id, 64) ||
        Object.keys(data).some((k) => !['id', 'pack'].includes(k)) ||
        (data.pack !== undefined && !str(data.pack, 64))
      ) {
        throw fail('VALIDATION_FAILED', 'sticker data is {id, pack?}');
      }
      break;
    case 'link':
      if (!str(data.url, 2048) || !/^https?:\/\/[^\s]+$/i.test(data.url as string))
        throw fail('VALIDATION_FAILED', 'link data needs an http(s) url');
      for (const k of ['title', 'description'])
        if (data[k] !== undefined && !str(data[k], 500))
          throw fail('VALIDATION_FAILED', `link ${k} must be a short string`);
      if (Object.keys(data).some((k) => !['url', 'title', 'description'].includes(k)))
        throw fail('VALIDATION_FAILED', 'link data is {url, title?, description?}');
      break;
    case 'contact':
      if (typeof data.userId !== 'string' || !isId(data.userId) || Object.keys(data).length !== 1)
        throw fail('VALIDATION_FAILED', 'contact data is {userId}');
      break;
    case 'custom':
      break;
    default:
      throw fail('VALIDATION_FAILED', `a ${kind} message takes no data`);
  }
  return data;
}

/** Longest caption of a picture or video, in characters (code points). */
export const CAPTION_LIMIT = 1024;

/**
 * The caption under a picture or video: only those kinds take one, non-blank, at most
 * {@link CAPTION_LIMIT} characters (`CAPTION_TOO_LONG` past it, so a client can say why).
 */
export function checkCaption(kind: MessageKind, caption: unknown): string | undefined {
  if (caption === undefined) return undefined;
  if (kind !== 'image' && kind !== 'video')
    throw fail('VALIDATION_FAILED', 'only image and video messages take a caption');
  if (typeof caption !== 'string' || caption.trim().length === 0)
    throw fail('VALIDATION_FAILED', 'caption must be a non-empty string');
  if ([...caption].length > CAPTION_LIMIT)
    throw fail('CAPTION_TOO_LONG', `caption is longer than ${CAPTION_LIMIT} characters`);
  return caption;
}

/** Which media kinds each message kind accepts. */
export const MEDIA_FOR: Partial<Record<MessageKind, MediaRef['kind'][]>> = {
  image: ['image'],
  voice: ['audio'],
  video: ['video'],
  file: ['image', 'audio', 'video', 'file'],
};
