import fsp from 'node:fs/promises';

/**
 * Bytes of a WebM read to find its Tracks. Browser recordings (MediaRecorder) write EBML header,
 * Segment, Info and Tracks in the first few hundred bytes; a file that puts them further on is
 * not classified from here (and stays a video).
 */
export const WEBM_PREFIX = 64 * 1024;

/** Most elements looked at on one level: a real header has a handful. */
const MAX_ELEMENTS = 256;

const ID = {
  ebml: 0x1a45dfa3,
  segment: 0x18538067,
  cluster: 0x1f43b675,
  tracks: 0x1654ae6b,
  trackEntry: 0xae,
  trackType: 0x83,
};

/**
 * The Matroska TrackType of every track of a WebM/Matroska file (1 video, 2 audio, …), read from
 * its first WEBM_PREFIX bytes only. Undefined when the header cannot be read there (truncated,
 * garbage, Tracks after the first Cluster or past the prefix, no track): the caller then keeps
 * the file a video, as if this reader did not exist.
 */
export async function webmTrackTypes(file: string): Promise<number[] | undefined> {
  const fh = await fsp.open(file, 'r');
  let buf: Buffer;
  try {
    const b = Buffer.alloc(WEBM_PREFIX);
    const { bytesRead } = await fh.read(b, 0, WEBM_PREFIX, 0);
    buf = b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  return trackTypes(buf);
}

/** The same, on bytes already in memory (exported for the unit tests). */
export function trackTypes(buf: Buffer): number[] | undefined {
  const header = readElement(buf, 0, buf.length);
  if (!header || header.id !== ID.ebml || header.end === undefined) return undefined;
  const segment = readElement(buf, header.end, buf.length);
  if (!segment || segment.id !== ID.segment) return undefined;
  // A live recording's Segment has "unknown" size: it runs to the end of the file.
  const tracks = findChild(buf, segment.body, segment.end ?? buf.length, ID.tracks, ID.cluster);
  if (!tracks) return undefined;
  const types: number[] = [];
  let pos = tracks.body;
  for (let i = 0; i < MAX_ELEMENTS && pos < tracks.end; i++) {
    const el = readElement(buf, pos, tracks.end);
    if (!el || el.end === undefined) return undefined;
    if (el.id === ID.trackEntry) {
      const type = findChild(buf, el.body, el.end, ID.trackType);
      if (!type || type.end - type.body < 1 || type.end - type.body > 4) return undefined;
      types.push(buf.readUIntBE(type.body, type.end - type.body));
    }
    pos = el.end;
  }
  return types.length ? types : undefined;
}

interface Element {
  id: number;
  body: number;
  /** Undefined for an element of unknown size. */
  end?: number;
}

/** The child `id` of the element body [start, end), with a known size inside it. */
function findChild(
  buf: Buffer,
  start: number,
  end: number,
  id: number,
  stopAt?: number,
): { body: number; end: number } | undefined {
  let pos = start;
  for (let i = 0; i < MAX_ELEMENTS && pos < end; i++) {
    const el = readElement(buf, pos, end);
    if (!el || el.end === undefined || el.id === stopAt) return undefined;
    if (el.id === id) return { body: el.body, end: el.end };
    pos = el.end;
  }
  return undefined;
}

/** One element header at `pos`; undefined when malformed or when its body does not fit in `end`. */
function readElement(buf: Buffer, pos: number, end: number): Element | undefined {
  const id = readVint(buf, pos, end, 4);
  if (!id) return undefined;
  const size = readVint(buf, pos + id.len, end, 8);
  if (!size) return undefined;
  const body = pos + id.len + size.len;
  if (size.unknown) return { id: id.raw, body };
  if (body + size.value > end) return undefined;
  return { id: id.raw, body, end: body + size.value };
}

/** An EBML variable-length integer: `raw` keeps the marker bit (IDs), `value` drops it (sizes). */
function readVint(buf: Buffer, pos: number, end: number, maxLen: number) {
  const first = pos < end ? buf[pos] : undefined;
  if (!first) return undefined;
  const len = Math.clz32(first) - 23;
  if (len > maxLen || pos + len > end) return undefined;
  let raw = 0;
  let value = first & (0xff >> len);
  let allOnes = value === 0xff >> len;
  for (let i = 0; i < len; i++) {
    const byte = buf[pos + i] ?? 0;
    raw = raw * 256 + byte;
    if (i > 0) {
      value = value * 256 + byte;
      allOnes &&= byte === 0xff;
    }
  }
  if (allOnes) return { len, raw, value: 0, unknown: true };
  // Sizes past 2^53 cannot be real in a file this server accepts; treat them as malformed.
  if (!Number.isSafeInteger(value)) return undefined;
  return { len, raw, value, unknown: false };
}
