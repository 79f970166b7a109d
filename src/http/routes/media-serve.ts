import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ByteRange } from '../../blobs/blob-store.js';
import type { MediaService } from '../../services/media.js';
import type { MediaVariant } from '../../services/media-urls.js';

/**
 * Sends a media object behind a signed URL: the stored type, never sniffed; inline only for
 * images, audio and video, else a download; a sandboxing CSP so even a mistaken type cannot
 * run script; private caching no longer than the URL lives; ETag + If-None-Match; single
 * byte ranges (206/416) so players can seek.
 */
export async function serveMedia(media: MediaService, variant: MediaVariant, req: FastifyRequest, reply: FastifyReply) {
  const { id } = req.params as { id: string };
  const q = req.query as Record<string, unknown>;
  const m = await media.servable(id, variant, q.e, q.s);
  const etag = `"${m.sha256}"`;
  const inline = /^(image|audio|video)\//.test(m.mime);
  const name = variant === 'thumb' ? thumbName(m.media.name) : m.media.name;
  reply.headers({
    'content-type': m.mime,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': `private, max-age=${m.maxAgeSec}`,
    etag,
    'accept-ranges': 'bytes',
    'content-disposition': contentDisposition(inline ? 'inline' : 'attachment', name),
  });
  if (matchesEtag(req.headers['if-none-match'], m.sha256)) return reply.status(304).send();

  let range: ByteRange | undefined;
  const header = req.headers.range;
  const ifRange = req.headers['if-range'];
  if (header && (!ifRange || ifRange === etag)) {
    const parsed = parseRange(header, m.size);
    if (parsed === 'unsatisfiable') {
      reply.removeHeader('content-disposition');
      reply.header('content-type', 'application/json; charset=utf-8').header('content-range', `bytes */${m.size}`);
      return reply
        .status(416)
        .send(JSON.stringify({ error: { code: 'RANGE_NOT_SATISFIABLE', message: 'The range is outside the file' } }));
    }
    range = parsed;
  }
  if (range) {
    reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${m.size}`);
    reply.header('content-length', String(range.end - range.start + 1));
  } else {
    reply.status(200).header('content-length', String(m.size));
  }
  // HEAD: Fastify drains whatever stream it gets; an empty one keeps our Content-Length.
  if (req.method === 'HEAD') return reply.send(Readable.from([]));
  return reply.send(await media.read(m.sha256, range));
}

/**
 * One `bytes=` range (first-last, first-, or -suffix), clamped to the file. Several ranges or
 * a malformed header are ignored (the whole file is sent, as RFC 9110 allows); a range that
 * starts past the end is unsatisfiable.
 */
export function parseRange(header: string, size: number): ByteRange | 'unsatisfiable' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

function matchesEtag(header: string | undefined, sha256: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const v = t.trim().replace(/^W\//, '');
    return v === '*' || v === `"${sha256}"`;
  });
}

/** RFC 6266: an ASCII fallback plus the exact name as RFC 8187 UTF-8. */
export function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  const utf8 = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

function thumbName(name: string): string {
  const dot = name.lastIndexOf('.');
  return `${dot > 0 ? name.slice(0, dot) : name}-thumb.webp`;
}
