import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Who may import what across the top-level folders: the web client sees only the wire contract
// and pure domain code, and the benchmarks share fixtures/ with the tests instead of reaching into
// test/. Reads whole files, so a multi-line import is caught too.
const RULES: { dir: string; forbidden: RegExp; why: string }[] = [
  {
    dir: 'web/src',
    forbidden: /\/src\/(services|store|bus|blobs|gateway|http)\//,
    why: 'the web client imports only src/protocol and src/domain',
  },
  { dir: 'bench', forbidden: /\.\.\/test\//, why: 'bench shares fixtures/, never test/' },
  { dir: 'fixtures', forbidden: /\.\.\/(test|bench)\//, why: 'fixtures/ is shared by both, so it imports neither' },
];

function files(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) =>
      d.isDirectory() ? files(path.join(dir, d.name)) : /\.(ts|tsx)$/.test(d.name) ? [path.join(dir, d.name)] : [],
    );
}

/** Every module specifier of a file's import/export-from statements and dynamic imports. */
function specifiers(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/\b(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) out.push(m[1]!);
  return out;
}

describe('import homes', () => {
  it('finds specifiers of multi-line and dynamic imports', () => {
    const src =
      "import {\n  a,\n  b,\n} from '../../src/store/db.js';\nconst m = await import('../test/x.js');\nexport * from './y.js';";
    expect(specifiers(src)).toEqual(['../../src/store/db.js', '../test/x.js', './y.js']);
  });

  for (const r of RULES) {
    it(`${r.dir}: ${r.why}`, () => {
      const offending = files(r.dir).flatMap((f) =>
        specifiers(fs.readFileSync(f, 'utf8'))
          .filter((s) => r.forbidden.test(s))
          .map((s) => `${f}: ${s}`),
      );
      expect(offending).toEqual([]);
    });
  }
});
