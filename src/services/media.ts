import { Readable } from 'node:stream';
import { type BlobStore, BlobTooLargeError, type ByteRange } from '../blobs/blob-store.js';
import type { UploadInspector } from '../blobs/inspect-upload.js';
import type { Scratch, StagedFile } from '../blobs/scratch.js';
import { fail } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import type { MediaRef } from '@parley/client';
import type { MediaRow } from '../store/media.js';
import type { ServiceDeps } from './deps.js';
import type { Actor } from './accounts.js';
import type { MediaSigner } from './entries-view.js';
import { safeName } from './media-names.js';
import { type MediaUrlSigner, type MediaVariant, mediaSigner } from './media-urls.js';
import { BlobSweeper } from './media-sweep.js';
import type { MediaResolver } from './message-input.js';

/** What `POST /media` and `GET /media/:id` answer. */
export interface MediaView {
  id: string;
  kind: MediaRow['kind'];
  mime: string;
  size: number;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  sha256: string;
  name: string;
  url: string;
  thumbUrl: string | null;
}

/** A media object checked for serving through a signed URL. */
export interface ServableMedia {
  media: MediaRow;
  sha256: string;
  size: number;
  mime: string;
  variant: MediaVariant;
  expiresAt: number;
  /** Seconds a client may cache it: never past the URL's expiry. */
  maxAgeSec: number;
}

export interface MediaServiceParts {
  blobs: BlobStore;
  scratch: Scratch;
  inspect: UploadInspector;
  urls: MediaUrlSigner;
}

/** When a refused upload may try again: uploads of a few MB finish in about a second. */
const UPLOAD_RETRY_MS = 1000;
/** Longest duration a client may claim: 24 hours. */
const MAX_CLIENT_DURATION_MS = 86_400_000;

/**
 * The lowest bitrate a recording is taken to have (bits per second; Opus goes down to 6 kbit/s):
 * a client's claimed duration is believed only up to what the bytes could hold at this rate.
 */
const MIN_BITS_PER_SECOND = 2000;

/**
 * The duration stored for audio or video: the container's when it says one (a client's clock
 * cannot beat the file's own timestamps); otherwise the client's measured value, but only
 * while the file is big enough to hold that much (at MIN_BITS_PER_SECOND), so a claim cannot
 * turn a 1 KB file into an hour-long voice note.
 */
export function storedDurationMs(container: number | undefined, claimed: number | undefined, size: number) {
  if (container !== undefined) return container;
  if (claimed === undefined) return null;
  return claimed <= (size * 8 * 1000) / MIN_BITS_PER_SECOND ? claimed : null;
}

/**
 * Uploads (checked, re-encoded, deduplicated, under a quota), access to media, signed URLs for
 * serving, and the sweep of unreferenced blobs.
 */
export class MediaService implements MediaResolver {
  readonly sweeper: BlobSweeper;
  /** Adds fresh signed URLs to a media reference (the same signing the notifier uses). */
  readonly signer: MediaSigner;
  /** Hashes put by uploads still in progress on this node: the sweep leaves them alone. */
  private readonly inFlight = new Map<string, number>();
  /** Uploads in progress on this node, per user (see {@link admitUpload}). */
  private readonly uploading = new Map<string, number>();

  constructor(
    private readonly deps: ServiceDeps,
    private readonly parts: MediaServiceParts,
  ) {
    this.sweeper = new BlobSweeper(deps, parts.blobs, (sha) => this.inFlight.has(sha));
    this.signer = mediaSigner(parts.urls, deps.clock);
  }

  /**
   * Takes one of the user's upload slots on this node (`PARLEY_UPLOADS_PER_USER`), before the
   * body is read; the returned function gives it back (call it once, when the upload ended
   * either way). Over the bound: `429 TOO_MANY_UPLOADS` with a retry hint. Per node on purpose:
   * what it protects is this node's disk, memory and image decoding.
   */
  admitUpload(actor: Actor): () => void {
    const n = this.uploading.get(actor.userId) ?? 0;
    if (n >= this.deps.config.uploadsPerUser)
      throw fail('TOO_MANY_UPLOADS', 'Too many uploads in progress; wait for one to finish', {
        retryAfterMs: UPLOAD_RETRY_MS,
      });
    this.uploading.set(actor.userId, n + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.uploading.get(actor.userId) ?? 1) - 1;
      if (left <= 0) this.uploading.delete(actor.userId);
      else this.uploading.set(actor.userId, left);
    };
  }

  /** Refuses early (before reading the body) when the user has no quota left. */
  async assertQuotaLeft(actor: Actor): Promise<void> {
    const used = await this.deps.store.media.usage(actor.userId);
    if (used >= this.deps.config.userQuota) throw fail('QUOTA_EXCEEDED', 'Your upload quota is used up');
  }

  /** Streams an upload to a temp file, enforcing the size cap. The caller must `discard` it. */
  async stage(stream: Readable): Promise<StagedFile> {
    try {
      return await this.parts.scratch.stage(stream, this.deps.config.uploadLimit);
    } catch (e) {
      if (e instanceof BlobTooLargeError || (e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
        throw fail('PAYLOAD_TOO_LARGE', `The file is larger than ${this.deps.config.uploadLimit} bytes`);
      }
      throw e;
    }
  }

  /**
   * Checks, transforms and stores a staged upload, then records it. Always discards the staged
   * file. On failure nothing is recorded; a blob already written is left for the sweep.
   */
  async create(
    actor: Actor,
    staged: StagedFile,
    meta: { name?: string; durationMs?: number; poster?: StagedFile },
  ): Promise<MediaView> {
    const { store, clock, config } = this.deps;
    try {
      if (staged.size === 0) throw fail('EMPTY_FILE', 'The file is empty');
      if (
        meta.durationMs !== undefined &&
        !(Number.isInteger(meta.durationMs) && meta.durationMs > 0 && meta.durationMs <= MAX_CLIENT_DURATION_MS)
      ) {
        throw fail('VALIDATION_FAILED', `durationMs must be an integer from 1 to ${MAX_CLIENT_DURATION_MS}`);
      }
      const up = await this.parts.inspect(staged.path, staged.size, actor.userId);
      // A video's poster frame comes from the uploader (the server decodes no video): an image,
      // re-encoded like any other, whose thumbnail becomes the video's.
      if (meta.poster) {
        if (up.kind !== 'video') throw fail('VALIDATION_FAILED', 'Only a video takes a poster');
        const poster = await this.parts.inspect(meta.poster.path, meta.poster.size, actor.userId);
        if (poster.kind !== 'image' || !poster.thumb) throw fail('UNSUPPORTED_MEDIA_TYPE', 'A poster must be an image');
        up.thumb = poster.thumb;
      }
      // A cheap early refusal, so an upload plainly over the quota writes no bytes at all; the
      // binding check is the atomic one that records the media below.
      if ((await store.media.usage(actor.userId)) + up.size > config.userQuota) throw overQuota();

      const pinned: string[] = [];
      try {
        const main = await this.putBlob(up.open(), up.size);
        pinned.push(main);
        const thumb = up.thumb ? await this.putBlob(bufferStream(up.thumb), up.thumb.length) : undefined;
        if (thumb) pinned.push(thumb);
        const row: MediaRow = {
          id: newId(),
          owner_id: actor.userId,
          kind: up.kind,
          mime: up.mime,
          size: up.size,
          sha256: main,
          thumb_sha256: thumb ?? null,
          width: up.width ?? null,
          height: up.height ?? null,
          duration_ms:
            up.kind === 'audio' || up.kind === 'video'
              ? storedDurationMs(up.durationMs, meta.durationMs, up.size)
              : null,
          name: safeName(meta.name, up.mime, up.ext),
          created_at: clock.now(),
        };
        // Refused here (a concurrent upload took the rest of the quota), the blobs written
        // above stay unreferenced and the sweep collects them after its grace period.
        if (!(await store.media.insertWithinQuota(row, config.userQuota))) throw overQuota();
        return this.view(row);
      } finally {
        for (const sha of pinned) this.release(sha);
      }
    } finally {
      await staged.discard();
      await meta.poster?.discard();
    }
  }

  /** Metadata with fresh URLs, for the uploader and for members of a conversation it was sent in. */
  async get(actor: Actor, id: string): Promise<MediaView> {
    return this.view(await this.visible(actor.userId, id));
  }

  async resolve(userId: string, mediaId: string): Promise<MediaRef> {
    return toRef(await this.visible(userId, mediaId));
  }

  /** An avatar must be an image the user uploaded; anything else is refused. */
  async checkAvatar(userId: string, mediaId: string): Promise<void> {
    const m = await this.deps.store.media.byId(mediaId);
    if (!m || m.owner_id !== userId) throw fail('MEDIA_NOT_FOUND', 'No such media');
    if (m.kind !== 'image') throw fail('UNSUPPORTED_MEDIA_TYPE', 'An avatar must be an image');
  }

  /** Checks a signed URL and finds what it serves; 403 with a code when the URL is bad. */
  async servable(id: string, variant: MediaVariant, e: unknown, s: unknown): Promise<ServableMedia> {
    const check = this.parts.urls.check(id, variant, e, s, this.deps.clock.now());
    if (!check.ok)
      throw fail(
        check.code,
        check.code === 'MEDIA_URL_EXPIRED' ? 'This media link has expired' : 'This media link is not valid',
      );
    const media = await this.deps.store.media.byId(id);
    const sha256 = variant === 'thumb' ? media?.thumb_sha256 : media?.sha256;
    if (!media || !sha256) throw fail('MEDIA_NOT_FOUND', 'No such media');
    const info = await this.parts.blobs.stat(sha256);
    if (!info) throw fail('MEDIA_NOT_FOUND', 'The media bytes are gone');
    const maxAgeSec = Math.max(0, Math.floor((check.expiresAt - this.deps.clock.now()) / 1000));
    return {
      media,
      sha256,
      size: info.size,
      mime: variant === 'thumb' ? 'image/webp' : media.mime,
      variant,
      expiresAt: check.expiresAt,
      maxAgeSec,
    };
  }

  async read(sha256: string, range?: ByteRange): Promise<Readable> {
    const s = await this.parts.blobs.get(sha256, range);
    if (!s) throw fail('MEDIA_NOT_FOUND', 'The media bytes are gone');
    return s;
  }

  view(m: MediaRow): MediaView {
    const signed = this.signer(toRef(m));
    return {
      id: m.id,
      kind: m.kind,
      mime: m.mime,
      size: m.size,
      width: m.width,
      height: m.height,
      durationMs: m.duration_ms,
      sha256: m.sha256,
      name: m.name,
      url: signed.url!,
      thumbUrl: m.thumb_sha256 ? (signed.thumbUrl ?? this.parts.urls.url(m.id, 'thumb', this.deps.clock.now())) : null,
    };
  }

  private async visible(userId: string, id: string): Promise<MediaRow> {
    const { media } = this.deps.store;
    const m = await media.byId(id);
    if (m && (m.owner_id === userId || (await media.sharedWith(id, userId)) || (await media.isAvatar(id, m.owner_id))))
      return m;
    throw fail('MEDIA_NOT_FOUND', 'No such media');
  }

  /** Stores bytes and records the blob; the hash stays pinned until {@link release}. */
  private async putBlob(stream: Readable, size: number): Promise<string> {
    const put = await this.parts.blobs.put(stream, { maxBytes: size });
    this.inFlight.set(put.sha256, (this.inFlight.get(put.sha256) ?? 0) + 1);
    try {
      await this.deps.store.media.touchBlob(put.sha256, put.size, this.deps.clock.now());
      // A sweep on another node may have removed these bytes just before the touch: restore them.
      if (!put.created && !(await this.parts.blobs.has(put.sha256)))
        throw fail('UNAVAILABLE', 'Storage changed under the upload; try again');
      return put.sha256;
    } catch (e) {
      this.release(put.sha256);
      throw e;
    }
  }

  private release(sha: string) {
    const n = (this.inFlight.get(sha) ?? 1) - 1;
    if (n <= 0) this.inFlight.delete(sha);
    else this.inFlight.set(sha, n);
  }
}

const overQuota = () => fail('QUOTA_EXCEEDED', 'This upload would pass your upload quota');

export function toRef(m: MediaRow): MediaRef {
  const ref: MediaRef = { id: m.id, kind: m.kind, mime: m.mime, size: m.size, name: m.name };
  if (m.width != null) ref.width = m.width;
  if (m.height != null) ref.height = m.height;
  if (m.duration_ms != null) ref.durationMs = m.duration_ms;
  if (m.kind === 'video' && m.thumb_sha256) ref.poster = true;
  return ref;
}

function bufferStream(buf: Buffer): Readable {
  return Readable.from([buf]);
}
