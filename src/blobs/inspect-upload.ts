import fs from 'node:fs';
import { Readable } from 'node:stream';
import { parseFile } from 'music-metadata';
import { fail } from '../domain/errors.js';
import { FairGate } from './fair-gate.js';
import { type ImageLimits, processImage } from './image-pipeline.js';
import { mp4DurationMs } from './mp4-duration.js';
import { type MediaKind, sniffFile } from './sniff.js';
import { webmDurationMs } from './webm-tracks.js';

/** An upload, checked and made ready to store. */
export interface InspectedUpload {
  kind: MediaKind;
  mime: string;
  ext: string;
  /** Bytes to store: a fresh stream each call (images: the re-encoded bytes). */
  open(): Readable;
  size: number;
  width?: number;
  height?: number;
  /** From the container, when it says it. */
  durationMs?: number;
  thumb?: Buffer;
}

/**
 * Turns a staged upload (a temp file) into what gets stored. Injected into the media service.
 * `owner`: who uploads it; image decoding is shared fairly between owners (see {@link FairGate}).
 */
export type UploadInspector = (file: string, size: number, owner?: string) => Promise<InspectedUpload>;

/** Longest duration taken from a container: one day (anything longer is a lie or a bug). */
const MAX_DURATION_MS = 86_400_000;

/** ISO/QuickTime containers (`moov`), whose duration src/blobs/mp4-duration.ts reads. */
const MVHD_EXTS = new Set(['mp4', 'm4a', 'mov']);

/**
 * The default inspector: sniff the type from the bytes (allowlist), re-encode images, read the
 * duration of audio and video from the container. Throws UNSUPPORTED_MEDIA_TYPE,
 * IMAGE_TOO_LARGE or MEDIA_UNREADABLE; never keeps anything of its own.
 */
export function uploadInspector(limits: ImageLimits): UploadInspector {
  const gate = new FairGate(limits.concurrency ?? 2, undefined, limits.onGateLoad);
  return async (file, size, owner = '') => {
    const sniffed = await sniffFile(file);
    if (!sniffed) throw fail('UNSUPPORTED_MEDIA_TYPE', 'This type of file is not accepted');
    if (sniffed.kind === 'image') {
      const img = await gate.run(owner, () => processImage(file, sniffed.mime, limits));
      return {
        kind: 'image',
        mime: img.mime,
        ext: sniffed.ext,
        size: img.data.length,
        open: () => bufferStream(img.data),
        width: img.width,
        height: img.height,
        thumb: img.thumb,
      };
    }
    const base = { ...sniffed, size, open: () => fs.createReadStream(file) };
    if (sniffed.kind === 'file') return base;
    const av = await readAv(file);
    // MP4: only our own reader. music-metadata takes durations from audio tracks only, and for a
    // fragmented file (MediaRecorder's) from its movie header, which covers a few ms of it.
    // WebM: music-metadata reads a Segment Duration; a live recording has none (nor can it parse
    // the unknown-size Clusters), so its blocks are measured instead.
    if (MVHD_EXTS.has(sniffed.ext)) av.durationMs = withinBounds(await mp4DurationMs(file).catch(() => undefined));
    else if (sniffed.ext === 'webm' && av.durationMs === undefined)
      av.durationMs = withinBounds(await webmDurationMs(file).catch(() => undefined));
    let { kind, mime } = sniffed;
    // An MP4 whose every track is audio is a recording. WebM was decided by the sniffer from its
    // Tracks alone: a WebM whose header it could not read stays a video rather than trusting a
    // parser that may have seen only part of the tracks. A MOV stays a video.
    if (kind === 'video' && av.audioOnly && mime === 'video/mp4') {
      kind = 'audio';
      mime = 'audio/mp4';
    }
    return {
      ...base,
      kind,
      mime,
      durationMs: av.durationMs,
      ...(av.width && av.height ? { width: av.width, height: av.height } : {}),
    };
  };
}

function withinBounds(ms: number | undefined): number | undefined {
  return ms && ms > 0 && ms <= MAX_DURATION_MS ? ms : undefined;
}

interface AvInfo {
  durationMs?: number;
  /** True only when the container lists tracks and every one of them is audio. */
  audioOnly?: boolean;
  width?: number;
  height?: number;
}

/** Duration and tracks from the container headers; undefined fields when it does not say. */
async function readAv(file: string): Promise<AvInfo> {
  try {
    const { format } = await parseFile(file, { duration: true, skipCovers: true });
    const out: AvInfo = {};
    const secs = format.duration;
    if (typeof secs === 'number' && Number.isFinite(secs) && secs > 0 && secs * 1000 <= MAX_DURATION_MS) {
      out.durationMs = Math.round(secs * 1000);
    }
    if (format.trackInfo?.length) {
      // Matroska track type 2 is audio; MP4 marks only its audio tracks, so an MP4 video track
      // (untyped) keeps the file a video.
      out.audioOnly = format.trackInfo.every((t) => Number(t.type) === 2);
      const video = format.trackInfo.find((t) => t.video);
      if (video?.video?.pixelWidth && video.video.pixelHeight) {
        out.width = video.video.pixelWidth;
        out.height = video.video.pixelHeight;
      }
    }
    return out;
  } catch {
    // The type was sniffed already; a container the parser cannot read just has no duration.
    return {};
  }
}

function bufferStream(buf: Buffer): Readable {
  return Readable.from([buf]);
}
