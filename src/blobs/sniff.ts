import fs from 'node:fs';
import { fileTypeFromFile } from 'file-type';
import { webmTrackTypes } from './webm-tracks.js';

export type MediaKind = 'image' | 'audio' | 'video' | 'file';

/** What the bytes of an upload are, decided from the bytes alone. */
export interface Sniffed {
  kind: MediaKind;
  /** The type the file is stored and served with. */
  mime: string;
  /** Canonical file extension, without the dot. */
  ext: string;
}

const OFFICE = 'application/vnd.openxmlformats-officedocument';

/**
 * The allowlist, keyed by the type `file-type` detects. Anything else is refused. `file-type`
 * calls every WebM a video: sniffFile reads its tracks to tell a voice recording apart. An MP4
 * may hold audio only too; the caller reclassifies those once it knows the tracks. QuickTime
 * (`.mov`, ftyp brand `qt  `) is stored as it is, like MP4.
 */
const ALLOWED: Record<string, Sniffed> = {
  'image/jpeg': { kind: 'image', mime: 'image/jpeg', ext: 'jpg' },
  'image/png': { kind: 'image', mime: 'image/png', ext: 'png' },
  'image/webp': { kind: 'image', mime: 'image/webp', ext: 'webp' },
  'image/gif': { kind: 'image', mime: 'image/gif', ext: 'gif' },
  'image/avif': { kind: 'image', mime: 'image/avif', ext: 'avif' },
  'audio/mpeg': { kind: 'audio', mime: 'audio/mpeg', ext: 'mp3' },
  'audio/aac': { kind: 'audio', mime: 'audio/aac', ext: 'aac' },
  'audio/x-m4a': { kind: 'audio', mime: 'audio/mp4', ext: 'm4a' },
  'audio/mp4': { kind: 'audio', mime: 'audio/mp4', ext: 'm4a' },
  'audio/ogg': { kind: 'audio', mime: 'audio/ogg', ext: 'ogg' },
  'audio/ogg; codecs=opus': { kind: 'audio', mime: 'audio/ogg', ext: 'opus' },
  'audio/opus': { kind: 'audio', mime: 'audio/ogg', ext: 'opus' },
  'audio/wav': { kind: 'audio', mime: 'audio/wav', ext: 'wav' },
  'audio/vnd.wave': { kind: 'audio', mime: 'audio/wav', ext: 'wav' },
  'audio/x-wav': { kind: 'audio', mime: 'audio/wav', ext: 'wav' },
  'audio/webm': { kind: 'audio', mime: 'audio/webm', ext: 'webm' },
  'video/mp4': { kind: 'video', mime: 'video/mp4', ext: 'mp4' },
  'video/webm': { kind: 'video', mime: 'video/webm', ext: 'webm' },
  'video/quicktime': { kind: 'video', mime: 'video/quicktime', ext: 'mov' },
  'application/pdf': { kind: 'file', mime: 'application/pdf', ext: 'pdf' },
  'application/zip': { kind: 'file', mime: 'application/zip', ext: 'zip' },
  [`${OFFICE}.wordprocessingml.document`]: { kind: 'file', mime: `${OFFICE}.wordprocessingml.document`, ext: 'docx' },
  [`${OFFICE}.spreadsheetml.sheet`]: { kind: 'file', mime: `${OFFICE}.spreadsheetml.sheet`, ext: 'xlsx' },
  [`${OFFICE}.presentationml.presentation`]: {
    kind: 'file',
    mime: `${OFFICE}.presentationml.presentation`,
    ext: 'pptx',
  },
};

export const TEXT: Sniffed = { kind: 'file', mime: 'text/plain; charset=utf-8', ext: 'txt' };

/** Extensions a user's file name may keep for each stored type (else the canonical one is added). */
export const NAME_EXTS: Record<string, string[]> = {
  'image/jpeg': ['jpg', 'jpeg'],
  'audio/mp4': ['m4a', 'mp4'],
  'audio/ogg': ['ogg', 'oga', 'opus'],
  [TEXT.mime]: ['txt', 'md', 'csv', 'log', 'json'],
};

/**
 * Sniffs a file by its magic bytes (never its name or the client's Content-Type). Returns
 * undefined for anything outside the allowlist, including markup (HTML, SVG, XML) disguised
 * as text: those are refused rather than stored, since a browser that ignores `nosniff` could
 * run them.
 */
export async function sniffFile(file: string): Promise<Sniffed | undefined> {
  const ft = await fileTypeFromFile(file);
  if (ft?.mime === 'video/webm') return sniffWebm(file);
  if (ft) return ALLOWED[ft.mime];
  return (await isPlainText(file)) ? TEXT : undefined;
}

/**
 * A WebM whose Tracks (in its first bytes) are all audio is audio: what MediaRecorder makes of
 * a voice note. One with a video track, or whose header cannot be read in that bounded prefix
 * (truncated, garbage, Tracks far into the file), stays a video: that is what `file-type` says,
 * so nothing accepted before is refused now, and a file is a voice note only when its own header
 * says every track is audio (never on a guess from part of the tracks).
 */
async function sniffWebm(file: string): Promise<Sniffed | undefined> {
  const types = await webmTrackTypes(file);
  return ALLOWED[types?.every((t) => t === 2) ? 'audio/webm' : 'video/webm'];
}

/**
 * True when the whole file is valid UTF-8 without NUL or other binary control characters, and
 * does not start like markup. Reads in chunks: never the whole file in memory.
 */
export async function isPlainText(file: string): Promise<boolean> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let head = '';
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 64 * 1024 })) {
      const text = decoder.decode(chunk as Buffer, { stream: true });
      // Tab, LF, FF, CR are text; other C0 controls and DEL mean binary.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
      if (/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text)) return false;
      if (head.length < 1024) head += text.slice(0, 1024);
    }
    decoder.decode();
  } catch {
    return false;
  }
  return !looksLikeMarkup(head);
}

/** HTML, SVG and XML start (after a BOM and blanks) with a tag the browser would render. */
export function looksLikeMarkup(head: string): boolean {
  const s = head
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  return /^<(!doctype|html|head|body|script|svg|\?xml|iframe|!--|meta|style|div|a\s|img|object|embed|form|xsl)/.test(s);
}
