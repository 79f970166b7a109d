import type { FastifyInstance } from 'fastify';
import { fail } from '../domain/errors.js';

/** `%00` in a URL, however its hex is written. */
const NUL_IN_URL = /%00/i;
/** `\u0000` in JSON text, not preceded by an escaped backslash (`\\u0000` is six characters). */
const NUL_IN_JSON = /(?<!\\)(?:\\\\)*\\u0000/i;

/**
 * No input may carry U+0000: PostgreSQL's text types cannot hold it, so a NUL in a login, a
 * search term or a nickname reached the database as an error and came back as a 500 (the REST
 * fuzz found `{"login":"\u0000"}` on PostgreSQL). Refused up front on every dialect, the same
 * 400 `VALIDATION_FAILED` everywhere: in the URL (path and query, percent-encoded) and in JSON
 * bodies (as the `\u0000` escape; a raw NUL byte is not JSON and is refused as such).
 */
export function installNoNul(app: FastifyInstance) {
  app.addHook('onRequest', async (req) => {
    if (NUL_IN_URL.test(req.url))
      throw fail('VALIDATION_FAILED', 'The address must not contain the NUL character (%00)');
  });
}

/** For the JSON parser: throws the same refusal when a body's text holds a `\u0000` escape. */
export function refuseNulInJson(text: string) {
  // The cheap test first: almost no body holds the escape at all.
  if (/\\u0000/i.test(text) && NUL_IN_JSON.test(text))
    throw fail('VALIDATION_FAILED', 'Text must not contain the NUL character (U+0000)');
}
