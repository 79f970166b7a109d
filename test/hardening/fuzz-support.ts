import fc from 'fast-check';
import { expect } from 'vitest';

/**
 * Runs per property: at least 1,000 in CI (`CI=true`), fewer locally so the fast suite stays
 * fast; `PARLEY_FUZZ_RUNS` overrides both. A failing run prints its seed and shrunk input;
 * replay it with `PARLEY_FUZZ_SEED`.
 */
export const FUZZ_RUNS = Number(process.env.PARLEY_FUZZ_RUNS ?? (process.env.CI ? 1000 : 150));
export const fuzzParams = (): fc.Parameters<unknown> => ({
  numRuns: FUZZ_RUNS,
  ...(process.env.PARLEY_FUZZ_SEED ? { seed: Number(process.env.PARLEY_FUZZ_SEED) } : {}),
  endOnFailure: true,
});

/** Strings a parser is likely to trip on: empty, huge, control characters, lone surrogates, RTL, emoji, NULs. */
export const nastyString = (maxLength = 300): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.constantFrom(
      '',
      ' ',
      '\u0000',
      '\ud800',
      '\udfff\ud800',
      '\u202e',
      '👩‍👩‍👧‍👦',
      '../../etc/passwd',
      '%00',
      '__proto__',
      'constructor',
      '<script>alert(1)</script>',
      "' or 1=1 --",
      '${7*7}',
      'NaN',
      '-1',
      '1e999',
      'null',
      'true',
      'dm:a:b',
      'g:',
      'dm::',
    ),
    fc.integer({ min: 1, max: 12 }).map((k) => 'x'.repeat(k * 1000)),
  );

/** Numbers that are out of every reasonable range. */
export const nastyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(
    -1,
    0,
    -0,
    0.5,
    2 ** 31,
    2 ** 32,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 63),
    2 ** 64,
    1e308,
    -1e308,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
  ),
);

/** A value of any type, JSON-representable (what a hostile JSON body can hold). */
export const nastyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    nastyString(),
    nastyNumber.filter(Number.isFinite),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 5 }),
    fc.dictionary(nastyString(20), tie('v'), { maxKeys: 5 }),
  ),
})).v;

/** Asserts the one coded error shape: `{"error": {"code", "message"}}` with an UPPER_SNAKE code. */
export function expectCodedError(body: unknown, what: string) {
  expect(body, what).toMatchObject({
    error: { code: expect.stringMatching(/^[A-Z][A-Z0-9_]+$/), message: expect.any(String) },
  });
}
