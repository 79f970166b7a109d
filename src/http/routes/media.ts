import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { StagedFile } from '../../blobs/scratch.js';
import { fail, isAppError } from '../../domain/errors.js';
import type { Actor } from '../../services/accounts.js';
import { actor, requireAuth } from '../auth.js';
import type { HttpContext } from '../context.js';
import { Id, errorResponse, errors, ref } from '../schemas.js';
import { CHECKED_BY_HANDLER } from '../validation.js';
import { serveMedia } from './media-serve.js';

const Nullable = <T extends ReturnType<typeof Type.Number>>(t: T) => Type.Union([t, Type.Null()]);

export const MediaView = Type.Object(
  {
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
  },
  { $id: 'Media', description: 'A stored upload, with fresh signed URLs' },
);

/** `POST /media` and `GET /media/:id` under the API prefix (Bearer). */
export const mediaApiRoutes: FastifyPluginAsyncTypebox<{ ctx: HttpContext }> = async (app, { ctx }) => {
  const { media, accounts } = ctx.services;
  const auth = requireAuth(accounts);
  await app.register(multipart, {
    // Two files are let through so the second can be refused with a clear code.
    limits: { fileSize: ctx.config.uploadLimit, files: 3, fields: 4, parts: 7, fieldSize: 1024, headerPairs: 64 },
    throwFileSizeLimit: true,
  });

  /** Reads the multipart body into a staged file and hands it to the media service. */
  const receive = async (who: Actor, req: FastifyRequest, reply: FastifyReply) => {
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
      if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw fail('BAD_REQUEST', 'Too many form fields');
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
  };

  app.post(
    '/media',
    {
      onRequest: auth,
      schema: {
        tags: ['media'],
        operationId: 'uploadMedia',
        summary:
          'Upload a file (multipart field `file`; optional field `durationMs` for voice/video, optional image `poster` for a video)',
        // Documents the parts; the handler reads and checks them as they stream (validation.ts
        // lets multipart bodies through to it).
        body: {
          content: {
            'multipart/form-data': {
              schema: Type.Object({
                file: Type.String({
                  format: 'binary',
                  description: `The file, at most ${ctx.config.uploadLimit} bytes; its type is sniffed from the bytes`,
                }),
                durationMs: Type.Optional(
                  Type.String({ pattern: '^[0-9]{1,9}$', description: 'Voice and video: the length in ms' }),
                ),
                poster: Type.Optional(
                  Type.String({
                    format: 'binary',
                    description: 'Video only: an image of a frame, shown before playing',
                  }),
                ),
              }),
            },
          },
        },
        response: { 201: ref(MediaView), ...errors(400, 401, 413, 415, 422, 429) },
      },
    },
    async (req, reply) => {
      const who = actor(req);
      if (!req.isMultipart()) throw fail('NO_FILE', 'Send multipart/form-data with a field "file"');
      const release = media.admitUpload(who);
      try {
        return await receive(who, req, reply);
      } finally {
        release();
      }
    },
  );

  app.get(
    '/media/:id',
    {
      onRequest: auth,
      schema: {
        tags: ['media'],
        operationId: 'getMedia',
        summary: 'Metadata of a media, with fresh signed URLs',
        params: Type.Object({ id: Id }),
        response: { 200: ref(MediaView), ...errors(400, 401, 404) },
      },
    },
    async (req) => media.get(actor(req), req.params.id),
  );
};

/** `GET /media/:id` and `/media/:id/thumb` outside the API prefix: signed URLs, no session. */
export const mediaFileRoutes: FastifyPluginAsyncTypebox<{ ctx: HttpContext }> = async (app, { ctx }) => {
  const { media } = ctx.services;
  const bytes = (description: string) => ({
    description,
    content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
  });
  const schema = (operationId: string, summary: string) => ({
    tags: ['media'],
    operationId,
    summary,
    // The signed URL is the capability: no session.
    security: [],
    params: Type.Object({ id: Id }),
    // The signer checks these (a bad one is 403 MEDIA_URL_INVALID, not a validation error).
    querystring: Type.Object(
      {
        e: Type.Optional(Type.String({ description: 'Expiry of the signature (from the signed URL)' })),
        s: Type.Optional(Type.String({ description: 'Signature (from the signed URL)' })),
      },
      { [CHECKED_BY_HANDLER]: true },
    ),
    response: {
      200: bytes('The bytes, with the stored Content-Type'),
      206: bytes('The requested byte range'),
      304: { description: 'Not modified (If-None-Match)', type: 'null' },
      400: errorResponse(400),
      403: {
        ...errorResponse(403),
        description: 'Bad or expired signature (`MEDIA_URL_INVALID`, `MEDIA_URL_EXPIRED`)',
      },
      404: errorResponse(404),
      416: errorResponse(416),
    },
  });
  // The request log lines carry the URL, and the URL carries the signature (a capability):
  // these routes log only warnings and errors, which name the request id, never the URL.
  const logLevel = 'warn';
  app.get(
    '/media/:id',
    { schema: schema('getMediaFile', 'The bytes of a media, by signed URL'), logLevel },
    (req, reply) => serveMedia(media, 'file', req, reply),
  );
  app.get(
    '/media/:id/thumb',
    { schema: schema('getMediaThumb', 'The thumbnail of an image, by signed URL'), logLevel },
    (req, reply) => serveMedia(media, 'thumb', req, reply),
  );
};
