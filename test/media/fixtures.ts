import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

/**
 * Test files, all made here from nothing: images with sharp, audio/video containers by hand.
 * Nothing is read from disk or the network.
 */

/** A JPEG of `w`×`h` (as stored) with EXIF (camera, GPS-ish text) and the given orientation. */
export async function jpegWithExif(w: number, h: number, orientation = 1): Promise<Buffer> {
  // Top half red, bottom half blue: after rotation the test can see where they went.
  const half = Math.floor(h / 2);
  const blue = await sharp({ create: { width: w, height: h - half, channels: 3, background: { r: 0, g: 0, b: 255 } } })
    .png()
    .toBuffer();
  return sharp({ create: { width: w, height: h, channels: 3, background: { r: 255, g: 0, b: 0 } } })
    .composite([{ input: blue, top: half, left: 0 }])
    .jpeg({ quality: 90 })
    .withMetadata({ orientation })
    .withExif({ IFD0: { Make: 'ParleyTestCam', Model: 'Leaky 3000', Copyright: 'secret-owner-name' } })
    .toBuffer();
}

export function solidPng(w: number, h: number, colour = { r: 20, g: 120, b: 200 }): Promise<Buffer> {
  return sharp({ create: { width: w, height: h, channels: 3, background: colour } })
    .png()
    .toBuffer();
}

/** A three-frame 40×30 animated GIF (red, blue, green). */
export async function animatedGif(): Promise<Buffer> {
  const frame = (r: number, g: number, b: number) =>
    sharp({ create: { width: 40, height: 30, channels: 3, background: { r, g, b } } })
      .png()
      .toBuffer();
  const frames = [await frame(200, 0, 0), await frame(0, 0, 200), await frame(0, 200, 0)];
  return sharp(frames, { join: { animated: true } })
    .gif({ loop: 0, delay: 100 })
    .toBuffer();
}

/** A random-noise PNG: its bytes differ on every call (so uploads do not deduplicate). */
export function noisePng(w: number, h: number): Promise<Buffer> {
  const raw = Buffer.alloc(w * h * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = Math.floor(Math.random() * 256);
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toBuffer();
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/**
 * A valid 1-bit greyscale PNG of one colour: 20000×20000 is 400 megapixels (1.6 GB decoded as
 * RGBA) but only ~50 MB raw and a few tens of KB compressed, so building it is cheap.
 */
export function bombPng(size = 20_000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const rowBytes = 1 + Math.ceil(size / 8);
  const raw = Buffer.alloc(rowBytes * size); // filter 0, all black
  const idat = deflateSync(raw, { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A GIF that is also JavaScript: the logical-screen width bytes are `/*`, a comment closes
 * after the image and a script follows the trailer. Browsers would run it as a script.
 */
export async function gifJsPolyglot(): Promise<Buffer> {
  const gif = await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 0, g: 200, b: 0 } } })
    .gif()
    .toBuffer();
  const out = Buffer.from(gif);
  out.write('/*', 6, 'latin1'); // width = 0x2a2f = 10799
  const payload = Buffer.from('*/=1;alert("polyglot-payload");//', 'latin1');
  return Buffer.concat([out, payload]);
}

/** A PCM WAV: 8 kHz mono 16-bit, `ms` milliseconds of silence. */
export function wav(ms: number): Buffer {
  const rate = 8000;
  const samples = Math.round((rate * ms) / 1000);
  const data = Buffer.alloc(samples * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

function box(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length);
  head.write(type, 4, 'ascii');
  return Buffer.concat([head, body]);
}

/**
 * An MP4 skeleton (ftyp + moov/mvhd) whose movie header says `ms` milliseconds. With brand
 * `qt  ` it is a QuickTime movie (`.mov`): same boxes, another ftyp.
 */
export function mp4(ms: number, brand: 'isom' | 'qt  ' = 'isom'): Buffer {
  const compat = brand === 'isom' ? 'isomiso2mp41' : 'qt  ';
  const ftyp = box('ftyp', Buffer.from(brand, 'ascii'), Buffer.from([0, 0, 2, 0]), Buffer.from(compat, 'ascii'));
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(0, 0); // version 0, flags
  mvhd.writeUInt32BE(1000, 12); // timescale
  mvhd.writeUInt32BE(ms, 16); // duration in timescale units
  mvhd.writeUInt32BE(0x00010000, 20); // rate 1.0
  mvhd.writeUInt16BE(0x0100, 24); // volume 1.0
  mvhd.writeUInt32BE(0x00010000, 36); // matrix a
  mvhd.writeUInt32BE(0x00010000, 52); // matrix d
  mvhd.writeUInt32BE(0x40000000, 68); // matrix w
  mvhd.writeUInt32BE(2, 96); // next track id
  return Buffer.concat([ftyp, box('moov', box('mvhd', mvhd)), box('mdat', Buffer.alloc(64))]);
}

function oggPage(headerType: number, granule: bigint, seq: number, packet: Buffer): Buffer {
  const segs: number[] = [];
  let n = packet.length;
  while (n >= 255) {
    segs.push(255);
    n -= 255;
  }
  segs.push(n);
  const h = Buffer.alloc(27 + segs.length);
  h.write('OggS', 0, 'ascii');
  h[4] = 0;
  h[5] = headerType;
  h.writeBigUInt64LE(granule, 6);
  h.writeUInt32LE(0x5a5a, 14); // serial
  h.writeUInt32LE(seq, 18);
  h[26] = segs.length;
  segs.forEach((s, i) => (h[27 + i] = s));
  const page = Buffer.concat([h, packet]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

function oggCrc(buf: Buffer): number {
  let crc = 0;
  for (const byte of buf) {
    crc ^= byte << 24;
    for (let k = 0; k < 8; k++) crc = crc & 0x80000000 ? ((crc << 1) ^ 0x04c11db7) >>> 0 : (crc << 1) >>> 0;
  }
  return crc >>> 0;
}

/** An Ogg Opus stream whose last page's granule position says `ms` milliseconds. */
export function oggOpus(ms: number): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'ascii');
  head[8] = 1; // version
  head[9] = 1; // channels
  head.writeUInt16LE(312, 10); // pre-skip
  head.writeUInt32LE(48000, 12);
  const tags = Buffer.concat([
    Buffer.from('OpusTags', 'ascii'),
    Buffer.from([4, 0, 0, 0]),
    Buffer.from('test'),
    Buffer.alloc(4),
  ]);
  const audio = Buffer.from([0xf8, 0xff, 0xfe]); // one tiny Opus packet
  return Buffer.concat([oggPage(2, 0n, 0, head), oggPage(0, 0n, 1, tags), oggPage(4, BigInt(312 + ms * 48), 2, audio)]);
}

function ebml(id: number[], data: Buffer): Buffer {
  // Sizes here are < 127, so a one-byte VINT (0x80 | size) is enough; bigger uses 8 bytes.
  const size =
    data.length < 127
      ? Buffer.from([0x80 | data.length])
      : Buffer.concat([
          Buffer.from([0x01]),
          (() => {
            const b = Buffer.alloc(7);
            b.writeUIntBE(data.length, 1, 6);
            return b;
          })(),
        ]);
  return Buffer.concat([Buffer.from(id), size, data]);
}

/**
 * A WebM with one Opus audio track and no duration in its Segment Info, as browser
 * recordings (MediaRecorder) are: the server must fall back to the client's durationMs.
 * `durationMs` adds a Duration, as a file rewritten after recording has.
 * `live` writes it the way MediaRecorder streams it: Segment and Cluster of unknown size, with
 * a cluster of audio after the Tracks.
 */
export function webmVoiceWithoutDuration(
  opts: { video?: boolean; live?: boolean; durationMs?: number; padBytes?: number } = {},
): Buffer {
  const header = ebml(
    [0x1a, 0x45, 0xdf, 0xa3],
    Buffer.concat([
      ebml([0x42, 0x86], Buffer.from([1])), // EBMLVersion
      ebml([0x42, 0xf7], Buffer.from([1])), // EBMLReadVersion
      ebml([0x42, 0xf2], Buffer.from([4])), // EBMLMaxIDLength
      ebml([0x42, 0xf3], Buffer.from([8])), // EBMLMaxSizeLength
      ebml([0x42, 0x82], Buffer.from('webm')), // DocType
      ebml([0x42, 0x87], Buffer.from([4])), // DocTypeVersion
      ebml([0x42, 0x85], Buffer.from([2])), // DocTypeReadVersion
    ]),
  );
  const info = ebml(
    [0x15, 0x49, 0xa9, 0x66],
    Buffer.concat([
      ebml([0x2a, 0xd7, 0xb1], Buffer.from([0x0f, 0x42, 0x40])), // TimecodeScale 1,000,000
      ebml([0x4d, 0x80], Buffer.from('test')), // MuxingApp
      ...(opts.durationMs
        ? [
            ebml(
              [0x44, 0x89],
              (() => {
                const b = Buffer.alloc(8);
                b.writeDoubleBE(opts.durationMs);
                return b;
              })(),
            ),
          ]
        : []), // Duration (ticks of 1 ms)
    ]),
  );
  const track = ebml(
    [0xae],
    Buffer.concat([
      ebml([0xd7], Buffer.from([1])), // TrackNumber
      ebml([0x73, 0xc5], Buffer.from([1])), // TrackUID
      ebml([0x83], Buffer.from([2])), // TrackType audio
      ebml([0x86], Buffer.from('A_OPUS')), // CodecID
      ebml(
        [0xe1],
        Buffer.concat([
          ebml(
            [0xb5],
            (() => {
              const b = Buffer.alloc(4);
              b.writeFloatBE(48000);
              return b;
            })(),
          ), // SamplingFrequency
          ebml([0x9f], Buffer.from([1])), // Channels
        ]),
      ),
    ]),
  );
  const videoTrack = ebml(
    [0xae],
    Buffer.concat([
      ebml([0xd7], Buffer.from([2])), // TrackNumber
      ebml([0x73, 0xc5], Buffer.from([2])), // TrackUID
      ebml([0x83], Buffer.from([1])), // TrackType video
      ebml([0x86], Buffer.from('V_VP8')), // CodecID
      ebml(
        [0xe0],
        Buffer.concat([
          ebml([0xb0], Buffer.from([0x01, 0x40])), // PixelWidth 320
          ebml([0xba], Buffer.from([0xf0])), // PixelHeight 240
        ]),
      ),
    ]),
  );
  const tracks = ebml([0x16, 0x54, 0xae, 0x6b], opts.video ? Buffer.concat([videoTrack, track]) : track);
  // A Void element standing for the bytes of real audio (a client's claimed duration is believed
  // only as far as the file's size could hold it).
  const pad = opts.padBytes ? ebml([0xec], Buffer.alloc(opts.padBytes)) : Buffer.alloc(0);
  if (!opts.live) return Buffer.concat([header, ebml([0x18, 0x53, 0x80, 0x67], Buffer.concat([info, tracks, pad]))]);
  const unknownSize = Buffer.from([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  const cluster = Buffer.concat([
    Buffer.from([0x1f, 0x43, 0xb6, 0x75]),
    unknownSize,
    ebml([0xe7], Buffer.from([0])), // Timecode 0
    ebml([0xa3], Buffer.from([0x81, 0, 0, 0x80, 0xf8, 0xff, 0xfe])), // SimpleBlock: track 1, keyframe, one Opus packet
    pad,
  ]);
  return Buffer.concat([header, Buffer.from([0x18, 0x53, 0x80, 0x67]), unknownSize, info, tracks, cluster]);
}

/** A minimal one-page PDF. */
export function pdf(): Buffer {
  return Buffer.from(
    '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
    'latin1',
  );
}

/** A ZIP archive (entries stored uncompressed) built by hand. */
export function zip(entries: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const data = Buffer.from(text);
    const fname = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fname.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fname.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fname, data);
    centrals.push(central, fname);
    offset += local.length + fname.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** The smallest Word document file-type recognises as DOCX. */
export function docx(): Buffer {
  return zip({
    '[Content_Types].xml':
      '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    'word/document.xml':
      '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>',
  });
}
