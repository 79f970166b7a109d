import fsp from 'node:fs/promises';

/** Most boxes looked at inside one box: a real file has a handful; a hostile one gets no further. */
const MAX_BOXES = 256;

/**
 * Most top-level boxes walked to find movie fragments. A MediaRecorder file has two per
 * timeslice (a `moof` and its `mdat`, four a second): this covers hours of recording while
 * bounding the header reads a hostile file can ask for.
 */
const MAX_TOP_BOXES = 100_000;

/**
 * The duration of an MP4/M4A/MOV in milliseconds, or undefined when the file does not say.
 *
 * A fragmented file (a `moov/mvex` box: what MediaRecorder writes) is measured from its
 * fragments: `mvex/mehd` when present, else the span of every track's samples, summed from
 * each `moof/traf/trun` (sample durations, or the `tfhd`/`trex` defaults) from its `tfdt`,
 * against the track's `mdhd` timescale. Its `mvhd` covers only the samples in `moov` (none,
 * or a few ms), so it is never used for such a file. A plain file is measured by `mvhd`.
 * Reads box headers and a few fixed fields only: bounded work whatever the file holds.
 */
export async function mp4DurationMs(file: string): Promise<number | undefined> {
  const fh = await fsp.open(file, 'r');
  try {
    const { size } = await fh.stat();
    const moov = await findBox(fh, 0, size, 'moov');
    if (!moov) return undefined;
    const mvhd = await findBox(fh, moov.body, moov.end, 'mvhd');
    if (!mvhd || mvhd.end - mvhd.body < 20) return undefined;
    const b = await readAt(fh, mvhd.body, 32);
    const version = b[0];
    let timescale: number;
    let duration: number | undefined;
    if (version === 1 && b.length >= 32) {
      timescale = b.readUInt32BE(20);
      duration = safe64(b, 24);
    } else if (version === 0 && b.length >= 20) {
      timescale = b.readUInt32BE(12);
      duration = b.readUInt32BE(16);
      if (duration === 0xffffffff) duration = undefined;
    } else {
      return undefined;
    }
    const mvex = await findBox(fh, moov.body, moov.end, 'mvex');
    if (mvex) return await fragmentedMs(fh, size, moov, mvex, timescale);
    if (!timescale || !duration) return undefined;
    return Math.round((duration * 1000) / timescale);
  } finally {
    await fh.close();
  }
}

interface Box {
  body: number;
  end: number;
}

interface Track {
  timescale: number;
  defaultDuration: number;
  start?: number;
  end?: number;
}

async function fragmentedMs(
  fh: fsp.FileHandle,
  size: number,
  moov: Box,
  mvex: Box,
  movieTimescale: number,
): Promise<number | undefined> {
  const mehd = await findBox(fh, mvex.body, mvex.end, 'mehd');
  if (mehd && movieTimescale) {
    const b = await readAt(fh, mehd.body, 12);
    const d = b[0] === 1 && b.length >= 12 ? safe64(b, 4) : b.length >= 8 ? b.readUInt32BE(4) : undefined;
    if (d) return Math.round((d * 1000) / movieTimescale);
  }
  const tracks = await readTracks(fh, moov, mvex);
  if (!tracks.size) return undefined;
  let pos = moov.end;
  for (let i = 0; i < MAX_TOP_BOXES; i++) {
    const box = await boxAt(fh, pos, size);
    if (!box) break;
    if (box.type === 'moof') await readFragment(fh, box, tracks);
    pos = box.end;
  }
  let ms: number | undefined;
  for (const t of tracks.values()) {
    if (t.start === undefined || t.end === undefined || t.end <= t.start || !t.timescale) continue;
    const span = ((t.end - t.start) * 1000) / t.timescale;
    ms = Math.max(ms ?? 0, Math.round(span));
  }
  return ms;
}

/** Each track's timescale (`trak/mdia/mdhd`) and default sample duration (`mvex/trex`), by track id. */
async function readTracks(fh: fsp.FileHandle, moov: Box, mvex: Box): Promise<Map<number, Track>> {
  const tracks = new Map<number, Track>();
  for (const trak of await boxes(fh, moov.body, moov.end, 'trak')) {
    const tkhd = await findBox(fh, trak.body, trak.end, 'tkhd');
    const mdia = await findBox(fh, trak.body, trak.end, 'mdia');
    const mdhd = mdia && (await findBox(fh, mdia.body, mdia.end, 'mdhd'));
    if (!tkhd || !mdhd) continue;
    const th = await readAt(fh, tkhd.body, 24);
    const id = th[0] === 1 ? th.length >= 24 && th.readUInt32BE(20) : th.length >= 16 && th.readUInt32BE(12);
    const mh = await readAt(fh, mdhd.body, 24);
    const timescale = mh[0] === 1 ? mh.length >= 24 && mh.readUInt32BE(20) : mh.length >= 16 && mh.readUInt32BE(12);
    if (id && timescale) tracks.set(id, { timescale, defaultDuration: 0 });
  }
  for (const trex of await boxes(fh, mvex.body, mvex.end, 'trex')) {
    const b = await readAt(fh, trex.body, 16);
    const t = b.length >= 16 ? tracks.get(b.readUInt32BE(4)) : undefined;
    if (t) t.defaultDuration = b.readUInt32BE(12);
  }
  return tracks;
}

/** Widens each track's [start, end) by the samples of one `moof`. */
async function readFragment(fh: fsp.FileHandle, moof: Box, tracks: Map<number, Track>) {
  for (const traf of await boxes(fh, moof.body, moof.end, 'traf')) {
    const tfhd = await findBox(fh, traf.body, traf.end, 'tfhd');
    if (!tfhd) continue;
    const h = await readAt(fh, tfhd.body, Math.min(32, tfhd.end - tfhd.body));
    if (h.length < 8) continue;
    const track = tracks.get(h.readUInt32BE(4));
    if (!track) continue;
    const flags = h.readUIntBE(1, 3);
    let off = 8 + (flags & 0x01 ? 8 : 0) + (flags & 0x02 ? 4 : 0);
    const defaultDuration = flags & 0x08 && h.length >= off + 4 ? h.readUInt32BE(off) : track.defaultDuration;
    off += 4;

    const tfdt = await findBox(fh, traf.body, traf.end, 'tfdt');
    let base: number | undefined;
    if (tfdt) {
      const t = await readAt(fh, tfdt.body, 12);
      base = t[0] === 1 ? (t.length >= 12 ? safe64(t, 4) : undefined) : t.length >= 8 ? t.readUInt32BE(4) : undefined;
    }
    let at = base ?? track.end ?? 0;
    for (const trun of await boxes(fh, traf.body, traf.end, 'trun')) {
      at += await runDuration(fh, trun, defaultDuration);
    }
    const start = base ?? track.end ?? 0;
    track.start = Math.min(track.start ?? start, start);
    track.end = Math.max(track.end ?? at, at);
  }
}

/** The summed sample durations of one `trun`, within the box's own bytes. */
async function runDuration(fh: fsp.FileHandle, trun: Box, defaultDuration: number): Promise<number> {
  const h = await readAt(fh, trun.body, 16);
  if (h.length < 8) return 0;
  const flags = h.readUIntBE(1, 3);
  const count = h.readUInt32BE(4);
  if (!(flags & 0x100)) return count * defaultDuration;
  const first = 8 + (flags & 0x01 ? 4 : 0) + (flags & 0x04 ? 4 : 0);
  const stride = 4 * [0x100, 0x200, 0x400, 0x800].filter((f) => flags & f).length;
  const n = Math.min(count, Math.floor((trun.end - trun.body - first) / stride));
  const table = await readAt(fh, trun.body + first, n * stride);
  let sum = 0;
  for (let i = 0; i + 4 <= table.length && i < n * stride; i += stride) sum += table.readUInt32BE(i);
  return sum;
}

function safe64(b: Buffer, at: number): number | undefined {
  const d = b.readBigUInt64BE(at);
  if (d === 0xffffffffffffffffn || d > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return Number(d);
}

async function readAt(fh: fsp.FileHandle, pos: number, n: number): Promise<Buffer> {
  const b = Buffer.alloc(Math.max(0, n));
  const { bytesRead } = await fh.read(b, 0, b.length, pos);
  return b.subarray(0, bytesRead);
}

/** The box whose header starts at `pos`, if it is well formed and fits before `end`. */
async function boxAt(fh: fsp.FileHandle, pos: number, end: number): Promise<(Box & { type: string }) | undefined> {
  if (pos + 8 > end) return undefined;
  const head = await readAt(fh, pos, 16);
  if (head.length < 8) return undefined;
  let size = head.readUInt32BE(0);
  const type = head.toString('latin1', 4, 8);
  let body = pos + 8;
  if (size === 1) {
    if (head.length < 16) return undefined;
    const big = head.readBigUInt64BE(8);
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
    size = Number(big);
    body = pos + 16;
  } else if (size === 0) {
    size = end - pos;
  }
  if (size < body - pos || pos + size > end) return undefined;
  return { type, body, end: pos + size };
}

/** Every child `type` of [start, end), up to MAX_BOXES children looked at. */
async function boxes(fh: fsp.FileHandle, start: number, end: number, type: string): Promise<Box[]> {
  const out: Box[] = [];
  let pos = start;
  for (let i = 0; i < MAX_BOXES; i++) {
    const box = await boxAt(fh, pos, end);
    if (!box) break;
    if (box.type === type) out.push(box);
    pos = box.end;
  }
  return out;
}

async function findBox(fh: fsp.FileHandle, start: number, end: number, type: string): Promise<Box | undefined> {
  let pos = start;
  for (let i = 0; i < MAX_BOXES; i++) {
    const box = await boxAt(fh, pos, end);
    if (!box) return undefined;
    if (box.type === type) return box;
    pos = box.end;
  }
  return undefined;
}
