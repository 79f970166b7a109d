import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The dependency rule of docs/architecture.md, checked on every import line.
const FORBIDDEN: Record<string, RegExp> = {
  'src/domain': /from '(kysely|ws|fastify|ioredis|pg|mysql2|better-sqlite3|sharp|msgpackr)'|from '\.\.\/(store|bus|blobs|gateway|http|services|protocol)\//,
  'src/protocol': /from '(kysely|ws|fastify|ioredis|pg|mysql2|better-sqlite3|sharp|node:[a-z]+)'|from '\.\.\/(store|bus|blobs|gateway|http|services)\//,
  'src/services': /from '(kysely|ws|fastify|@fastify\/[a-z-]+|ioredis|pg|mysql2|better-sqlite3|sharp)'|from '\.\.\/(gateway|http)\//,
  'src/store': /from '(ws|fastify|ioredis)'|from '\.\.\/(gateway|http|services|bus)\//,
};

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(path.join(dir, d.name)) : d.name.endsWith('.ts') ? [path.join(dir, d.name)] : []);
}

describe('layers', () => {
  for (const [dir, rule] of Object.entries(FORBIDDEN)) {
    it(`${dir} imports no transport, driver or outer layer`, () => {
      const offending = files(dir).flatMap((f) =>
        fs.readFileSync(f, 'utf8').split('\n').filter((l) => /^\s*(import|export) .* from /.test(l) && rule.test(l)).map((l) => `${f}: ${l.trim()}`));
      expect(offending).toEqual([]);
    });
  }
});
