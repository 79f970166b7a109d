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
  info: 0x1549a966,
  timecodeScale: 0x2ad7b1,
  duration: 0x4489,
  timecode: 0xe7,
  simpleBlock: 0xa3,
  blockGroup: 0xa0,
  block: 0xa1,
};

/**
 * Most elements walked to measure a recording without a Duration: MediaRecorder writes a block
 * per 20-60 ms of Opus, so this covers hours while bounding the work a hostile file asks for.
 */
const MAX_SCAN_ELEMENTS = 1_000_000;

/** Bytes read from the file at a time while walking it. */
const WINDOW = 64 * 1024;

/**
 * The duration of a WebM/Matroska file in milliseconds, or undefined when it cannot be told.
 * From the Segment Info Duration when present; otherwise (MediaRecorder writes none, and
 * Clusters of unknown size) from the last block's time (its Cluster Timecode plus its own
 * relative timecode) less the first one's, plus one block length (the gap between the last two
 * blocks), all scaled by the TimecodeScale. Reads element headers only.
 */
export async function webmDurationMs(file: string): Promise<number | undefined> {
  const fh = await fsp.open(file, 'r');
  try {
    const { size } = await fh.stat();
    const win = new Window(fh, size);
    return await measure(win, size);
  } finally {
    await fh.close();
  }
}

/** A sliding read window over the file: element headers are read through it. */
class Window {
  private base = 0;
  private buf = Buffer.alloc(0);
  constructor(
    private readonly fh: fsp.FileHandle,
    readonly size: number,
  ) {}

  /** The bytes [pos, pos+n) (fewer at the end of the file), as a buffer and the offset of pos in it. */
  async at(pos: number, n: number): Promise<{ buf: Buffer; off: number }> {
    if (pos < this.base || pos + n > this.base + this.buf.length) {
      const len = Math.min(Math.max(n, WINDOW), this.size - pos);
      const b = Buffer.alloc(Math.max(0, len));
      const { bytesRead } = await this.fh.read(b, 0, b.length, pos);
      this.base = pos;
      this.buf = b.subarray(0, bytesRead);
    }
    return { buf: this.buf, off: pos - this.base };
  }
}

async function header(win: Window, pos: number, limit: number) {
  const { buf, off } = await win.at(pos, 12);
  const id = readVint(buf, off, buf.length, 4);
  if (!id) return undefined;
  const size = readVint(buf, off + id.len, buf.length, 8);
  if (!size) return undefined;
  const body = pos + id.len + size.len;
  const end = size.unknown ? undefined : body + size.value;
  if (end !== undefined && end > limit) return undefined;
  return { id: id.raw, body, end };
}

async function uintAt(win: Window, body: number, end: number): Promise<number | undefined> {
  const n = end - body;
  if (n < 1 || n > 6) return undefined;
  const { buf, off } = await win.at(body, n);
  return off + n <= buf.length ? buf.readUIntBE(off, n) : undefined;
}

async function measure(win: Window, size: number): Promise<number | undefined> {
  const ebml = await header(win, 0, size);
  if (!ebml || ebml.id !== ID.ebml || ebml.end === undefined) return undefined;
  const segment = await header(win, ebml.end, size);
  if (!segment || segment.id !== ID.segment) return undefined;
  const limit = segment.end ?? size;
  let scale = 1_000_000; // ns per tick, Matroska's default
  let cluster = 0;
  let first: number | undefined;
  let last: number | undefined;
  let prev: number | undefined;
  let pos = segment.body;
  for (let i = 0; i < MAX_SCAN_ELEMENTS && pos < limit; i++) {
    const el = await header(win, pos, limit);
    if (!el) break;
    if (el.id === ID.cluster || el.id === ID.blockGroup) {
      // Step into it: its children are walked in line (a live Cluster has no size to skip by).
      pos = el.body;
      continue;
    }
    if (el.end === undefined) break;
    if (el.id === ID.info) {
      const info = await readInfo(win, el.body, el.end);
      if (info.scale) scale = info.scale;
      if (info.duration !== undefined) return Math.round((info.duration * scale) / 1e6);
    } else if (el.id === ID.timecode) {
      cluster = (await uintAt(win, el.body, el.end)) ?? cluster;
    } else if (el.id === ID.simpleBlock || el.id === ID.block) {
      const { buf, off } = await win.at(el.body, 12);
      const track = readVint(buf, off, buf.length, 8);
      if (track && off + track.len + 2 <= buf.length) {
        const t = cluster + buf.readInt16BE(off + track.len);
        first = first === undefined ? t : Math.min(first, t);
        if (last === undefined || t >= last) {
          prev = last;
          last = t;
        }
      }
    }
    pos = el.end;
  }
  if (first === undefined || last === undefined) return undefined;
  const block = prev !== undefined && last > prev ? last - prev : 0;
  const ticks = last - first + block;
  return ticks > 0 ? Math.round((ticks * scale) / 1e6) : undefined;
}

async function readInfo(win: Window, start: number, end: number): Promise<{ scale?: number; duration?: number }> {
  const out: { scale?: number; duration?: number } = {};
  let pos = start;
  for (let i = 0; i < MAX_ELEMENTS && pos < end; i++) {
    const el = await header(win, pos, end);
    if (!el || el.end === undefined) break;
    if (el.id === ID.timecodeScale) out.scale = await uintAt(win, el.body, el.end);
    if (el.id === ID.duration && (el.end - el.body === 4 || el.end - el.body === 8)) {
      const { buf, off } = await win.at(el.body, 8);
      const n = el.end - el.body;
      if (off + n <= buf.length) {
        const d = n === 4 ? buf.readFloatBE(off) : buf.readDoubleBE(off);
        if (Number.isFinite(d) && d > 0) out.duration = d;
      }
    }
    pos = el.end;
  }
  return out;
}

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
