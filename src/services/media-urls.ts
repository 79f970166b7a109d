import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import type { MediaRef } from '@parley/client';
import type { MediaSigner } from './entries-view.js';

export type MediaVariant = 'file' | 'thumb';

export type UrlCheck = { ok: true; expiresAt: number } | { ok: false; code: 'MEDIA_URL_INVALID' | 'MEDIA_URL_EXPIRED' };

/**
 * Signed, expiring media URLs: `/media/<id>?e=<expiry, epoch s>&s=<sig>` and
 * `/media/<id>/thumb?e=…&s=…`, where sig = base64url(HMAC-SHA256(key, "<id>\n<variant>\n<e>")).
 * The key is derived from the server secret, so every node with the same secret accepts the
 * same URLs. URLs carry no session token. Expiry is rounded up to a step, so the same object
 * keeps the same URL for a while and browsers can cache it.
 */
export class MediaUrlSigner {
  private readonly key: Buffer;
  private readonly stepMs: number;

  constructor(
    secret: string,
    private readonly ttlMs: number,
  ) {
    this.key = createHmac('sha256', secret).update('parley media url v1').digest();
    this.stepMs = Math.max(1000, Math.min(3_600_000, Math.floor(ttlMs / 4)));
  }

  /** A URL valid for at least the configured lifetime from `now`. */
  url(id: string, variant: MediaVariant, now: number): string {
    const expMs = Math.ceil((now + this.ttlMs) / this.stepMs) * this.stepMs;
    const e = Math.ceil(expMs / 1000);
    const path = variant === 'thumb' ? `/media/${id}/thumb` : `/media/${id}`;
    return `${path}?e=${e}&s=${this.sig(id, variant, e)}`;
  }

  /** Checks the query of a media URL; constant-time on the signature. */
  check(id: string, variant: MediaVariant, e: unknown, s: unknown, now: number): UrlCheck {
    if (typeof e !== 'string' || typeof s !== 'string' || !/^\d{1,12}$/.test(e) || !/^[A-Za-z0-9_-]{43}$/.test(s)) {
      return { ok: false, code: 'MEDIA_URL_INVALID' };
    }
    const want = Buffer.from(this.sig(id, variant, Number(e)));
    const got = Buffer.from(s);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return { ok: false, code: 'MEDIA_URL_INVALID' };
    const expiresAt = Number(e) * 1000;
    if (expiresAt <= now) return { ok: false, code: 'MEDIA_URL_EXPIRED' };
    return { ok: true, expiresAt };
  }

  private sig(id: string, variant: MediaVariant, e: number): string {
    return createHmac('sha256', this.key).update(`${id}\n${variant}\n${e}`).digest('base64url');
  }
}

/**
 * The {@link MediaSigner} everything that hands out entries uses (live fan-out, history, sync,
 * media metadata): fresh URLs as of `clock.now()`, a thumbnail URL for images and posters. It needs only
 * the secret and the clock, so the composition root builds it before any service.
 */
export function mediaSigner(urls: MediaUrlSigner, clock: Clock): MediaSigner {
  return (ref: MediaRef) => {
    const now = clock.now();
    const out: MediaRef = { ...ref, url: urls.url(ref.id, 'file', now) };
    if (ref.kind === 'image' || ref.poster) out.thumbUrl = urls.url(ref.id, 'thumb', now);
    return out;
  };
}
