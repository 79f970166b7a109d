import { expect } from 'vitest';
import sharp from 'sharp';
import { type MatrixEntry, type User, V, type World } from './matrix-types.js';

/**
 * Media. The matrix runner sends JSON only, so uploads (multipart) happen in `setup` through
 * the real route, and the uploader's success is shown by reading the upload back.
 */
async function uploadPng(w: World, u: User): Promise<{ id: string; url: string }> {
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 10, b: 10 } } })
    .png()
    .toBuffer();
  const fd = new FormData();
  fd.append('file', new Blob([new Uint8Array(png)]), 'private.png');
  const res = await fetch(`${w.api.base}${V}/media`, {
    method: 'POST',
    body: fd,
    headers: { authorization: `Bearer ${u.token}` },
  });
  const body = (await res.json()) as { id: string; url: string };
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body;
}

export const entries: MatrixEntry[] = [
  {
    route: 'POST /api/v1/media',
    setup: async (w) => {
      const me = await w.user('up');
      const up = await uploadPng(w, me);
      return {
        path: `${V}/media`,
        cases: [
          { who: 'signed in, but no multipart file', token: me.token, body: {}, expect: 400, code: 'NO_FILE' },
          {
            who: 'uploader reading back the upload made in setup',
            token: me.token,
            method: 'GET',
            path: `${V}/media/${up.id}`,
            expect: 200,
            check: (b) => expect(b.id).toBe(up.id),
          },
        ],
      };
    },
  },
  {
    route: 'GET /api/v1/media/:id',
    setup: async (w) => {
      const [owner, stranger] = await w.users(2, 'mm');
      const up = await uploadPng(w, owner!);
      return {
        path: `${V}/media/${up.id}`,
        // A refusal never hands out a URL (signature) or the hash of the private bytes.
        secrets: [new URL(up.url, 'http://x').searchParams.get('s')!],
        cases: [
          { who: 'stranger', token: stranger!.token, expect: 404, code: 'MEDIA_NOT_FOUND' },
          { who: 'uploader', token: owner!.token, expect: 200, check: (b) => expect(b.url).toMatch(/^\/media\//) },
        ],
      };
    },
  },
];
