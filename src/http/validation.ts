import { Ajv } from 'ajv';
import type { FastifyInstance } from 'fastify';

/**
 * Two validators: bodies are checked strictly (no type coercion, unknown fields refused),
 * while path and query strings are coerced to the declared number/boolean types.
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
  app.setValidatorCompiler(
    ({ schema, httpPart }) =>
      // biome-ignore lint/suspicious/noExplicitAny: Ajv's ValidateFunction and Fastify's validator type differ only in their generics.
      (httpPart === 'body' ? body : strings).compile(schema as object) as any,
  );
}
