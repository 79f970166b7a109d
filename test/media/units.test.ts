import { describe, expect, it } from 'vitest';
import { contentDisposition, parseRange } from '../../src/http/routes/media-serve.js';
import { safeName } from '../../src/services/media-names.js';
import { MediaUrlSigner } from '../../src/services/media-urls.js';

describe('media names', () => {
  it('keeps only a safe last segment with an extension that matches the stored type', () => {
    expect(safeName('../../x.js', 'text/plain; charset=utf-8', 'txt')).toBe('x.js.txt');
    expect(safeName('..\\..\\evil.exe', 'application/pdf', 'pdf')).toBe('evil.exe.pdf');
    expect(safeName('page.html.png', 'image/png', 'png')).toBe('page.html.png');
    expect(safeName('photo.heic', 'image/jpeg', 'jpg')).toBe('photo.jpg');
    expect(safeName('a"b<c>|d\u0000e\u202egnp.pdf', 'application/pdf', 'pdf')).toBe('abcdegnp.pdf');
    expect(safeName('...', 'application/zip', 'zip')).toBe('file.zip');
    expect(safeName(undefined, 'audio/wav', 'wav')).toBe('file.wav');
    expect([...safeName(`${'x'.repeat(500)}.pdf`, 'application/pdf', 'pdf')].length).toBe(120);
  });

  it('writes RFC 6266 dispositions with an ASCII fallback', () => {
    expect(contentDisposition('inline', 'a b.png')).toBe(`inline; filename="a b.png"; filename*=UTF-8''a%20b.png`);
    expect(contentDisposition('attachment', 'ü"\\;%.txt')).toBe(
      `attachment; filename="_____.txt"; filename*=UTF-8''%C3%BC%22%5C%3B%25.txt`,
    );
  });
});

describe('byte ranges', () => {
  it('parses one range, clamps it, and tells unsatisfiable from ignorable', () => {
    expect(parseRange('bytes=0-99', 1000)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=900-', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=-10', 1000)).toEqual({ start: 990, end: 999 });
    expect(parseRange('bytes=-5000', 1000)).toEqual({ start: 0, end: 999 });
    expect(parseRange('bytes=990-5000', 1000)).toEqual({ start: 990, end: 999 });
    expect(parseRange('bytes=1000-', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=5-1', 1000)).toBeUndefined();
    expect(parseRange('bytes=0-1,5-9', 1000)).toBeUndefined();
    expect(parseRange('items=0-1', 1000)).toBeUndefined();
  });
});

describe('signed media URLs', () => {
  const signer = new MediaUrlSigner('s'.repeat(40), 6 * 3_600_000);
  const now = Date.UTC(2026, 0, 1);
  const parse = (url: string) => Object.fromEntries(new URL(url, 'http://x').searchParams);

  it('accepts its own URL until it expires, and nothing altered', () => {
    const url = signer.url('abc', 'file', now);
    const { e, s } = parse(url);
    const check = signer.check('abc', 'file', e, s, now);
    expect(check.ok).toBe(true);
    // Valid at least the configured lifetime; expiry rounded up to a step of at most 1 h.
    const exp = Number(e) * 1000;
    expect(exp - now).toBeGreaterThanOrEqual(6 * 3_600_000);
    expect(exp - now).toBeLessThanOrEqual(7 * 3_600_000);
    expect(signer.check('abc', 'file', e, s, exp)).toEqual({ ok: false, code: 'MEDIA_URL_EXPIRED' });
    expect(signer.check('abd', 'file', e, s, now)).toEqual({ ok: false, code: 'MEDIA_URL_INVALID' });
    expect(signer.check('abc', 'thumb', e, s, now)).toEqual({ ok: false, code: 'MEDIA_URL_INVALID' });
    expect(signer.check('abc', 'file', String(Number(e) + 3600), s, now)).toEqual({
      ok: false,
      code: 'MEDIA_URL_INVALID',
    });
    expect(signer.check('abc', 'file', e, `${s!.slice(0, -1)}${s!.endsWith('A') ? 'B' : 'A'}`, now)).toEqual({
      ok: false,
      code: 'MEDIA_URL_INVALID',
    });
    expect(signer.check('abc', 'file', undefined, s, now)).toEqual({ ok: false, code: 'MEDIA_URL_INVALID' });
    expect(signer.check('abc', 'file', ['1', '2'], s, now)).toEqual({ ok: false, code: 'MEDIA_URL_INVALID' });
    const other = new MediaUrlSigner('t'.repeat(40), 6 * 3_600_000);
    expect(other.check('abc', 'file', e, s, now).ok).toBe(false);
  });
});

describe('media in messages', () => {
  it('matches message kinds to media kinds', async () => {
    // The rule the messaging service applies to every send that carries media.
    const { MEDIA_FOR } = await import('../../src/services/message-input.js');
    const fits = (message: keyof typeof MEDIA_FOR | 'text', media: string) =>
      (MEDIA_FOR[message as keyof typeof MEDIA_FOR] ?? []).includes(media as never);
    expect(fits('image', 'image')).toBe(true);
    expect(fits('image', 'file')).toBe(false);
    expect(fits('voice', 'audio')).toBe(true);
    expect(fits('voice', 'video')).toBe(false);
    expect(fits('video', 'video')).toBe(true);
    expect(fits('file', 'audio')).toBe(true);
    expect(fits('text', 'image')).toBe(false);
  });
});
