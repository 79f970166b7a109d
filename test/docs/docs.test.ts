import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ErrorCode, ErrorCodes, isTemporary } from '../../src/domain/errors.js';

interface DocumentedCode {
  code: string;
  status: string;
  temporary: string;
}

/** The rows of a markdown table that starts at `heading`: one entry per backticked code. */
function codeTable(doc: string, heading: string, columns: { status?: number; temporary?: number }): DocumentedCode[] {
  const at = doc.indexOf(heading);
  if (at < 0) throw new Error(`docs/protocol.md has no "${heading}"`);
  const rows = doc.slice(at).split('\n').slice(1);
  const first = rows.findIndex((l) => l.startsWith('|'));
  const table = rows.slice(
    first,
    rows.findIndex((l, i) => i > first && !l.startsWith('|')),
  );
  return table.slice(2).flatMap((row) => {
    const cells = row.split(' | ').map((c) => c.replace(/^\|\s*|\s*\|$/g, '').trim());
    return [...cells[0]!.matchAll(/`([A-Z_]+)`/g)].map((m) => ({
      code: m[1]!,
      status: columns.status !== undefined ? cells[columns.status]! : '',
      temporary: columns.temporary !== undefined ? cells[columns.temporary]! : '',
    }));
  });
}

// The docs are part of the contract: these checks keep them from drifting from the code.
describe('docs', () => {
  const protocol = fs.readFileSync('docs/protocol.md', 'utf8');
  const catalogue = Object.keys(ErrorCodes).sort();
  const rest = codeTable(protocol, '### Error codes', { status: 1, temporary: 2 });
  const frames = codeTable(protocol, '### 4. Errors and close codes', {});

  it('the error-code table of docs/protocol.md lists exactly the catalogue, each code once', () => {
    expect(rest.map((r) => r.code).sort()).toEqual(catalogue);
  });

  it('every code the error-frame table names is in the catalogue', () => {
    expect(frames.length).toBeGreaterThan(5);
    expect(frames.map((r) => r.code).filter((c) => !catalogue.includes(c))).toEqual([]);
  });

  it('the documented statuses and temporary flags match the catalogue', () => {
    const wrong = rest.flatMap((r) => {
      const code = r.code as ErrorCode;
      const out: string[] = [];
      if (r.status !== '—' && Number(r.status) !== ErrorCodes[code])
        out.push(`${code}: status ${r.status}, catalogue ${ErrorCodes[code]}`);
      if (!['yes', '—'].includes(r.temporary))
        out.push(`${code}: temporary cell "${r.temporary}" is neither yes nor —`);
      else if ((r.temporary === 'yes') !== isTemporary(code))
        out.push(`${code}: documented temporary=${r.temporary}, catalogue ${isTemporary(code)}`);
      return out;
    });
    expect(wrong).toEqual([]);
  });

  it('the README, architecture and operations docs exist and link where they should', () => {
    const readme = fs.readFileSync('README.md', 'utf8');
    for (const doc of ['docs/protocol.md', 'docs/architecture.md', 'docs/operations.md']) {
      expect(fs.existsSync(doc), doc).toBe(true);
      expect(readme).toContain(doc);
    }
    expect(readme).toMatch(/npm ci && npm start/);
    expect(readme).toMatch(/npm test/);
  });
});
