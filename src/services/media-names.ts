import { NAME_EXTS } from '../blobs/sniff.js';

/** Controls (C0, DEL, C1), characters file systems refuse, and bidi overrides that disguise an extension. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this strips.
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f"*:<>?|\u202a-\u202e\u2066-\u2069]/g;

/**
 * A display name for an upload, made from the client's file name but never trusted: only the
 * last path segment, no control or reserved characters, at most 120 characters, and an
 * extension that matches the stored type (a `.js` that is plain text becomes `x.js.txt`, an
 * HTML renamed `.png` never gets this far). The name is only ever shown and offered as a
 * download name; storage uses the hash.
 */
export function safeName(raw: string | undefined, mime: string, ext: string): string {
  let base = (raw ?? '').split(/[\\/]/).pop() ?? '';
  base = base
    .normalize('NFC')
    .replace(UNSAFE_CHARS, '')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '')
    .trim();
  if (!base) base = 'file';
  const dot = base.lastIndexOf('.');
  const have = dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
  const stem = dot > 0 ? base.slice(0, dot) : base;
  const allowed = NAME_EXTS[mime] ?? [ext];
  const keep = have && allowed.includes(have);
  // Images are re-encoded: the name follows the stored format.
  const name = keep ? base : mime.startsWith('image/') ? `${stem}.${ext}` : `${base}.${ext}`;
  return truncate(name, 120, ext);
}

function truncate(name: string, max: number, ext: string): string {
  const chars = [...name];
  if (chars.length <= max) return name;
  return `${chars.slice(0, max - ext.length - 1).join('')}.${ext}`;
}
