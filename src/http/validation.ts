import { Ajv } from 'ajv';
import type { FastifyInstance } from 'fastify';

/**
 * Marks a request part's schema as documentation only: the handler checks that part itself
 * (e.g. a signed URL's query, whose every failure has its own code), so no validator runs.
 */
export const CHECKED_BY_HANDLER = 'x-checked-by-handler';

/**
 * Two validators: bodies are checked strictly (no type coercion, unknown fields refused),
 * while path and query strings are coerced to the declared number/boolean types. A multipart
 * body's schema only documents its parts: the route reads them as a stream (the body is not
 * parsed before the handler runs), and checks each as it arrives.
 */
export function installValidation(app: FastifyInstance) {
  const common = {
    allErrors: false,
    useDefaults: true,
    removeAdditional: false as const,
    strict: false,
    keywords: ['kind', 'modifier'],
  };
  const body = new Ajv({ ...common, coerceTypes: false });
  const strings = new Ajv({ ...common, coerceTypes: true });
  const unchecked = () => true;
  app.setValidatorCompiler(({ schema, httpPart, contentType }) =>
    (httpPart === 'body' && contentType?.startsWith('multipart/')) ||
    (schema as Record<string, unknown>)[CHECKED_BY_HANDLER]
      ? unchecked
      : // biome-ignore lint/suspicious/noExplicitAny: Ajv's ValidateFunction and Fastify's validator type differ only in their generics.
        ((httpPart === 'body' ? body : strings).compile(schema as object) as any),
  );
}
