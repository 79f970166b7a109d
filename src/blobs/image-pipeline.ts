import sharp, { type Metadata } from 'sharp';
import { fail } from '../domain/errors.js';

export interface ImageLimits {
  /** Largest decoded image, in pixels (all frames of an animation together). */
  maxPixels: number;
  /** Long edge of the stored image; smaller images are never enlarged. */
  maxEdge: number;
  /** Long edge of the thumbnail. */
  thumbEdge?: number;
  /**
   * Images decoded at once (each may take width × height × 4 bytes); more wait their turn,
   * served fairly between uploaders (one uploader holds at most all slots but one).
   */
  concurrency?: number;
  /** Told how many decodes run and wait after every change (for a metrics gauge). */
  onGateLoad?: (load: { running: number; waiting: number }) => void;
}

export interface ProcessedImage {
  data: Buffer;
  mime: string;
  width: number;
  height: number;
  /** A small WebP of the first frame, for lists and previews. */
  thumb: Buffer;
}

// One libvips thread pool is shared by the whole process; keep it small on small machines.
sharp.concurrency(Math.max(1, Math.min(4, sharp.concurrency())));
sharp.cache(false);

/**
 * Decodes and re-encodes an image so that nothing of the upload's bytes survives except its
 * pixels: EXIF, XMP, IPTC, ICC and comments are dropped, the EXIF orientation is applied, a
 * polyglot's hidden payload is gone. The pixel limit is checked from the header before any
 * decoding, and enforced again by libvips while decoding.
 *
 * Formats: JPEG stays JPEG (quality 82, progressive), PNG stays PNG (lossless, so screenshots
 * and transparency are kept exactly), WebP and AVIF stay themselves, GIF stays GIF with its
 * animation. Fails with IMAGE_TOO_LARGE (over the pixel limit) or MEDIA_UNREADABLE (corrupt,
 * truncated or not decodable).
 */
export async function processImage(input: string | Buffer, mime: string, limits: ImageLimits): Promise<ProcessedImage> {
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch {
    throw fail('MEDIA_UNREADABLE', 'The image could not be read');
  }
  const pages = mime === 'image/gif' ? Math.max(1, meta.pages ?? 1) : 1;
  const frameHeight = pages > 1 ? (meta.pageHeight ?? meta.height ?? 0) : (meta.height ?? 0);
  const width = meta.width ?? 0;
  if (!width || !frameHeight) throw fail('MEDIA_UNREADABLE', 'The image has no size');
  if (width * frameHeight * pages > limits.maxPixels) {
    throw fail('IMAGE_TOO_LARGE', `The image is larger than ${limits.maxPixels} pixels`);
  }
  const animated = pages > 1;
  try {
    let img = sharp(input, { limitInputPixels: limits.maxPixels, animated, failOn: 'error' })
      .rotate()
      .resize({ width: limits.maxEdge, height: limits.maxEdge, fit: 'inside', withoutEnlargement: true });
    let outMime = mime;
    switch (mime) {
      case 'image/jpeg':
        img = img.jpeg({ quality: 82, progressive: true, chromaSubsampling: '4:2:0' });
        break;
      case 'image/png':
        img = img.png({ compressionLevel: 9 });
        break;
      case 'image/webp':
        img = img.webp({ quality: 82, effort: 4 });
        break;
      case 'image/avif':
        img = img.avif({ quality: 55, effort: 3 });
        break;
      case 'image/gif':
        img = img.gif({ effort: 7 });
        break;
      default:
        img = img.jpeg({ quality: 82 });
        outMime = 'image/jpeg';
    }
    const { data, info } = await img.toBuffer({ resolveWithObject: true });
    const outHeight = animated ? (info.pageHeight ?? info.height) : info.height;
    const thumbEdge = limits.thumbEdge ?? 320;
    const thumb = await sharp(data, { animated: false })
      .resize({ width: thumbEdge, height: thumbEdge, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 72 })
      .toBuffer();
    return { data, mime: outMime, width: info.width, height: outHeight, thumb };
  } catch (e) {
    if (/pixel limit/i.test((e as Error).message))
      throw fail('IMAGE_TOO_LARGE', `The image is larger than ${limits.maxPixels} pixels`);
    throw fail('MEDIA_UNREADABLE', 'The image could not be decoded');
  }
}
