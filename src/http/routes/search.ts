import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { actor, requireAuth } from '../auth.js';
import type { HttpContext } from '../context.js';
import { errors, ref } from '../schemas.js';

export const SearchSnippet = Type.Object(
  {
    text: Type.String({ description: 'Part of the message text around the matches (plain text, never markup)' }),
    highlights: Type.Array(Type.Array(Type.Integer({ minimum: 0 }), { minItems: 2, maxItems: 2 }), {
      description: '`[start, end)` UTF-16 offsets into `text` of what matched, sorted and disjoint',
    }),
  },
  { $id: 'SearchSnippet', description: 'A snippet of a hit with the ranges to highlight' },
);

export const SearchHit = Type.Object(
  {
    conversation: Type.String(),
    seq: Type.Integer(),
    id: Type.String(),
    sender: Type.Union([Type.String(), Type.Null()]),
    kind: Type.String(),
    ts: Type.Number({ description: 'When it was sent (epoch ms)' }),
    editedAt: Type.Optional(Type.Number({ description: 'Last edit (epoch ms); hits match the latest text' })),
    snippet: ref(SearchSnippet),
  },
  { $id: 'SearchHit', description: 'A message that matches a search' },
);

export const SearchPage = Type.Object(
  {
    items: Type.Array(ref(SearchHit)),
    next: Type.Optional(
      Type.String({ description: 'Pass as `cursor` for older hits (a page may be short and still have one)' }),
    ),
  },
  { $id: 'SearchPage', description: 'Hits, newest first' },
);

/** Message search over REST. */
export const searchRoutes: FastifyPluginAsyncTypebox<{ ctx: HttpContext }> = async (app, { ctx }) => {
  const { search } = ctx.services;
  const auth = requireAuth(ctx.services.accounts);

  app.get(
    '/search',
    {
      onRequest: auth,
      schema: {
        tags: ['conversations'],
        operationId: 'searchMessages',
        summary: 'Search the messages I may read, in one conversation or in all, newest first',
        description:
          'Words match by prefix (3+ letters) or whole (1–2 letters); Chinese, Japanese and Korean match by ' +
          'substring; case and accents are ignored. Every term must match. `QUERY_TOO_SHORT` / `QUERY_TOO_LONG` ' +
          '(400) for a query without a usable term or over 200 characters.',
        querystring: Type.Object(
          {
            q: Type.String({ maxLength: 1000, description: 'The query (at most 200 characters are accepted)' }),
            conversation: Type.Optional(
              Type.String({ minLength: 1, maxLength: 80, description: 'Search only this conversation' }),
            ),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, description: 'Default 20' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ref(SearchPage), ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (req) => {
      const { q, conversation, cursor, limit } = req.query;
      return search.search(actor(req).userId, { q, conversation, cursor, limit });
    },
  );
};
