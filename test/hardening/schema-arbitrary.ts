import fc from 'fast-check';
import { nastyJson, nastyNumber, nastyString } from './fuzz-support.js';

/** A JSON schema as found in the server's OpenAPI document (the subset TypeBox emits). */
export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  nullable?: boolean;
  $ref?: string;
}

/**
 * Values that satisfy `schema` (most of the time: patterns and bounds are followed), so
 * fuzzed requests get past validation and into the services where the deeper bugs live.
 * `pool` offers real values (ids of existing users, groups, …) for string fields.
 */
export function fromSchema(
  schema: Schema | undefined,
  resolve: (ref: string) => Schema | undefined,
  pool: string[],
  depth = 0,
): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return nastyJson;
  if (schema.$ref) return fromSchema(resolve(schema.$ref), resolve, pool, depth + 1);
  const alts = schema.anyOf ?? schema.oneOf;
  let arb: fc.Arbitrary<unknown>;
  if (alts?.length) arb = fc.oneof(...alts.map((s) => fromSchema(s, resolve, pool, depth + 1)));
  else if (schema.allOf?.length) arb = fromSchema(schema.allOf[0], resolve, pool, depth + 1);
  else if (schema.const !== undefined) arb = fc.constant(schema.const);
  else if (schema.enum?.length) arb = fc.constantFrom(...schema.enum);
  else {
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    switch (type) {
      case 'string': {
        const shaped = schema.pattern
          ? safeMatching(schema.pattern)
          : fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 64, 200) });
        arb = pool.length
          ? fc.oneof({ weight: 3, arbitrary: shaped }, { weight: 1, arbitrary: fc.constantFrom(...pool) })
          : shaped;
        break;
      }
      case 'integer':
        arb = fc.integer({
          min: Math.max(schema.minimum ?? -1e6, -Number.MAX_SAFE_INTEGER),
          max: Math.min(schema.maximum ?? 1e6, Number.MAX_SAFE_INTEGER),
        });
        break;
      case 'number':
        arb = fc.double({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9, noNaN: true });
        break;
      case 'boolean':
        arb = fc.boolean();
        break;
      case 'array':
        arb = fc.array(fromSchema(schema.items, resolve, pool, depth + 1), {
          maxLength: Math.min(schema.maxItems ?? 5, 5),
        });
        break;
      case 'object': {
        const props = Object.fromEntries(
          Object.entries(schema.properties ?? {}).map(([k, s]) => [k, fromSchema(s, resolve, pool, depth + 1)]),
        );
        arb = fc.record(props, { requiredKeys: (schema.required ?? []).filter((k) => k in props) });
        break;
      }
      case 'null':
        arb = fc.constant(null);
        break;
      default:
        arb = nastyJson;
    }
  }
  return schema.nullable ? fc.option(arb, { nil: null }) : arb;
}

function safeMatching(pattern: string): fc.Arbitrary<string> {
  try {
    return fc.stringMatching(new RegExp(pattern));
  } catch {
    return nastyString(64);
  }
}

/** One or more mistakes in an otherwise well-formed value: wrong types, missing or extra fields, extreme numbers. */
export function mutate(base: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const mutation = fc.oneof(
    fc.tuple(fc.nat(), nastyJson).map(([i, v]) => (o: Record<string, unknown>) => {
      const keys = Object.keys(o);
      return keys.length ? { ...o, [keys[i % keys.length]!]: v } : { x: v };
    }),
    fc.nat().map((i) => (o: Record<string, unknown>) => {
      const keys = Object.keys(o);
      if (!keys.length) return o;
      const { [keys[i % keys.length]!]: _gone, ...rest } = o;
      return rest;
    }),
    fc.tuple(nastyString(40), nastyJson).map(([k, v]) => (o: Record<string, unknown>) => ({ ...o, [k]: v })),
    fc.tuple(fc.nat(), nastyNumber.filter(Number.isFinite)).map(([i, v]) => (o: Record<string, unknown>) => {
      const keys = Object.keys(o);
      return keys.length ? { ...o, [keys[i % keys.length]!]: v } : o;
    }),
    fc.tuple(fc.nat(), fc.integer({ min: 300, max: 20_000 })).map(([i, n]) => (o: Record<string, unknown>) => {
      const keys = Object.keys(o);
      return keys.length ? { ...o, [keys[i % keys.length]!]: '\u{1F600}'.repeat(n) } : o;
    }),
  );
  return fc.tuple(base, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([v, ms]) => {
    const obj =
      typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
    return ms.reduce((acc, m) => m(acc), obj);
  });
}
