import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../src/domain/errors.js';

// The docs are part of the contract: these checks keep them from drifting from the code.
describe('docs', () => {
  const protocol = fs.readFileSync('docs/protocol.md', 'utf8');

  it('docs/protocol.md lists every error code of the catalogue', () => {
    const missing = Object.keys(ErrorCodes).filter((code) => !protocol.includes(`\`${code}\``));
    expect(missing).toEqual([]);
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
