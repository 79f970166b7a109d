import fsp from 'node:fs/promises';

/** Most boxes looked at on one level: a real file has a handful; a hostile one gets no further. */
const MAX_BOXES = 256;

/**
 * The movie duration of an MP4/M4A/MOV from its `moov/mvhd` box, in milliseconds, or undefined
 * when the file does not say (fragmented files, a zero or "unknown" duration). Reads only box
 * headers and the 32 bytes of `mvhd`: bounded work whatever the file holds.
 */
export async function mp4DurationMs(file: string): Promise<number | undefined> {
  const fh = await fsp.open(file, 'r');
  try {
    const { size } = await fh.stat();
    const moov = await findBox(fh, 0, size, 'moov');
    if (!moov) return undefined;
    const mvhd = await findBox(fh, moov.body, moov.end, 'mvhd');
    if (!mvhd || mvhd.end - mvhd.body < 20) return undefined;
    const b = Buffer.alloc(32);
    const { bytesRead } = await fh.read(b, 0, 32, mvhd.body);
    const version = b[0];
    let timescale: number;
    let duration: number;
    if (version === 1 && bytesRead >= 32) {
      timescale = b.readUInt32BE(20);
      const d = b.readBigUInt64BE(24);
      if (d === 0xffffffffffffffffn || d > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
      duration = Number(d);
    } else if (version === 0 && bytesRead >= 20) {
      timescale = b.readUInt32BE(12);
      duration = b.readUInt32BE(16);
      if (duration === 0xffffffff) return undefined;
    } else {
      return undefined;
    }
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

async function findBox(fh: fsp.FileHandle, start: number, end: number, type: string): Promise<Box | undefined> {
  const head = Buffer.alloc(16);
  let pos = start;
  for (let i = 0; i < MAX_BOXES && pos + 8 <= end; i++) {
    const { bytesRead } = await fh.read(head, 0, 16, pos);
    if (bytesRead < 8) return undefined;
    let size = head.readUInt32BE(0);
    const name = head.toString('latin1', 4, 8);
    let body = pos + 8;
    if (size === 1) {
      if (bytesRead < 16) return undefined;
      const big = head.readBigUInt64BE(8);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
      size = Number(big);
      body = pos + 16;
    } else if (size === 0) {
      size = end - pos;
    }
    if (size < body - pos || pos + size > end) return undefined;
    if (name === type) return { body, end: pos + size };
    pos += size;
  }
  return undefined;
}
