import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { StagedFile } from '../../blobs/scratch.js';
import { fail, isAppError } from '../../domain/errors.js';
import { actor, requireAuth } from '../auth.js';
import type { HttpContext } from '../context.js';
import { Id, errors } from '../schemas.js';
import { serveMedia } from './media-serve.js';

const Nullable = <T extends ReturnType<typeof Type.Number>>(t: T) => Type.Union([t, Type.Null()]);

export const MediaView = Type.Object({
  id: Id,
  kind: Type.Union([Type.Literal('image'), Type.Literal('audio'), Type.Literal('video'), Type.Literal('file')]),
  mime: Type.String({ description: 'The stored type, sniffed from the bytes' }),
  size: Type.Number({ description: 'Stored size in bytes (images: after re-encoding)' }),
  width: Nullable(Type.Number()),
  height: Nullable(Type.Number()),
  durationMs: Nullable(Type.Number()),
  sha256: Type.String(),
  name: Type.String({ description: 'Sanitized display name' }),
  url: Type.String({ description: 'Signed, expiring URL of the bytes (relative to the server)' }),
  thumbUrl: Type.Union([Type.String(), Type.Null()], {
    description: 'Signed URL of a ~320 px WebP (images, and videos uploaded with a poster)',
  }),
});

/** `POST /media` and `GET /media/:id` under the API prefix (Bearer). */
export const mediaApiRoutes: FastifyPluginAsyncTypebox<{ ctx: HttpContext }> = async (app, { ctx }) => {
  const { media, accounts } = ctx.services;
  const auth = requireAuth(accounts);
  await app.register(multipart, {
    // Two files are let through so the second can be refused with a clear code.
    limits: { fileSize: ctx.config.uploadLimit, files: 3, fields: 4, parts: 7, fieldSize: 1024, headerPairs: 64 },
    throwFileSizeLimit: true,
  });

  app.post(
    '/media',
    {
      onRequest: auth,
      schema: {
        tags: ['media'],
        summary:
          'Upload a file (multipart field `file`; optional field `durationMs` for voice/video, optional image `poster` for a video)',
        consumes: ['multipart/form-data'],
        response: { 201: MediaView, ...errors(400, 401, 413, 415, 422) },
      },
    },
    async (req, reply) => {
      const who = actor(req);
      if (!req.isMultipart()) throw fail('NO_FILE', 'Send multipart/form-data with a field "file"');
      await media.assertQuotaLeft(who);
      let staged: StagedFile | undefined;
      let poster: StagedFile | undefined;
      let name: string | undefined;
      const fields: Record<string, string> = {};
      try {
        for await (const part of req.parts()) {
          if (part.type === 'file' && part.fieldname === 'poster') {
            if (poster) {
              part.file.resume();
              throw fail('TOO_MANY_FILES', 'Send one poster per upload');
            }
            poster = await media.stage(part.file);
          } else if (part.type === 'file') {
            if (part.fieldname !== 'file' || staged) {
              part.file.resume();
              throw staged
                ? fail('TOO_MANY_FILES', 'Send one file per upload')
                : fail('BAD_REQUEST', 'The file must be in the field "file"');
            }
            name = part.filename;
            staged = await media.stage(part.file);
          } else {
            fields[part.fieldname] = String(part.value);
          }
        }
        if (!staged) throw fail('NO_FILE', 'No file in the field "file"');
        let durationMs: number | undefined;
        if (fields.durationMs !== undefined) {
          if (!/^\d{1,9}$/.test(fields.durationMs))
            throw fail('VALIDATION_FAILED', 'durationMs must be a whole number of milliseconds');
          durationMs = Number(fields.durationMs);
        }
        const file = staged;
        const frame = poster;
        staged = undefined; // `create` discards both, success or failure
        poster = undefined;
        return reply.status(201).send(await media.create(who, file, { name, durationMs, poster: frame }));
      } catch (e) {
        await staged?.discard();
        await poster?.discard();
        const code = (e as { code?: string }).code;
        if (code === 'FST_FILES_LIMIT') throw fail('TOO_MANY_FILES', 'Send one file per upload');
        if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT')
          throw fail('BAD_REQUEST', 'Too many form fields');
        // The multipart parser reports a broken body (no boundary, cut short) as plain errors.
        if (
          !isAppError(e) &&
          !(e as NodeJS.ErrnoException).errno &&
          /multipart|boundary/i.test(String((e as Error)?.message))
        ) {
          throw fail('BAD_REQUEST', 'Malformed multipart body');
        }
        throw e;
      }
    },
  );

  app.get(
    '/media/:id',
    {
      onRequest: auth,
      schema: {
        tags: ['media'],
        summary: 'Metadata of a media, with fresh signed URLs',
        params: Type.Object({ id: Id }),
        response: { 200: MediaView, ...errors(400, 401, 404) },
      },
    },
    async (req) => media.get(actor(req), req.params.id),
  );
};

/** `GET /media/:id` and `/media/:id/thumb` outside the API prefix: signed URLs, no session. */
export const mediaFileRoutes: FastifyPluginAsyncTypebox<{ ctx: HttpContext }> = async (app, { ctx }) => {
  const { media } = ctx.services;
  const params = Type.Object({ id: Id });
  const schema = { hide: true, params } as const;
  // The request log lines carry the URL, and the URL carries the signature (a capability):
  // these routes log only warnings and errors, which name the request id, never the URL.
  const logLevel = 'warn';
  app.get('/media/:id', { schema, logLevel }, (req, reply) => serveMedia(media, 'file', req, reply));
  app.get('/media/:id/thumb', { schema, logLevel }, (req, reply) => serveMedia(media, 'thumb', req, reply));
};
