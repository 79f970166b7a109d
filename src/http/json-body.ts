import { OptionalKind } from '@sinclair/typebox';
import type { FastifyInstance, preValidationHookHandler } from 'fastify';
import { refuseNulInJson } from './no-nul.js';

/**
 * JSON bodies, parsed by Fastify's own parser (prototype-poisoning keys refused), except that an
 * empty body is no body. Many HTTP clients send `Content-Type: application/json` on every POST,
 * with nothing after it; Fastify answered those 400 `INVALID_JSON`, even on routes whose body is
 * optional (`POST /groups/:id/join`) or absent (`POST /auth/logout`). Now the route's schema
 * decides: an optional body is simply missing, a required one fails validation (400
 * `VALIDATION_FAILED`). Anything else that is not JSON, whitespace included, stays `INVALID_JSON`.
 *
 * A body declared `Type.Optional(…)` is validated as `{}` when missing: the schema itself says
 * `type: object`, so a missing body failed validation ("body must be object") before.
 */
export function installJsonBody(app: FastifyInstance) {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    // parseAs 'string' hands over a string; the type covers the buffer variant too.
    const text = String(body);
    if (text === '') return done(null, undefined);
    try {
      refuseNulInJson(text);
    } catch (e) {
      return done(e as Error, undefined);
    }
    return parse(req, text, done);
  });
  app.addHook('onRoute', (route) => {
    const body = route.schema?.body as { [OptionalKind]?: string } | undefined;
    if (body?.[OptionalKind] !== 'Optional') return;
    const orEmpty: preValidationHookHandler = (req, _reply, next) => {
      if (req.body === undefined || req.body === null) req.body = {};
      next();
    };
    route.preValidation = [orEmpty, ...[route.preValidation ?? []].flat()];
  });
}
