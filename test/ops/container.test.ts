import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeNginx } from '../../scripts/compose-nginx.js';
import { ROOT } from './processes.js';

const read = (f: string) => fs.readFileSync(path.join(ROOT, f), 'utf8');

/** Dockerfile instructions, continuation lines joined. */
function instructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => ({ op: l.split(/\s+/)[0]!.toUpperCase(), args: l.slice(l.split(/\s+/)[0]!.length).trim() }));
}

describe('container files', () => {
  const docker = instructions(read('Dockerfile'));

  it('every RUN of the Dockerfile is a command CI runs', () => {
    // The images cannot be built here: what they run must be what CI proves works.
    const ci = new Set(
      read('.ci/run')
        .split('\n')
        .map((l) => l.trim()),
    );
    const runs = docker.filter((i) => i.op === 'RUN').map((i) => i.args);
    expect(runs).toEqual(['npm ci --no-audit --no-fund', 'npm run build', 'npm ci --omit=dev --no-audit --no-fund']);
    for (const r of runs) expect(ci.has(r), `.ci/run lacks: ${r}`).toBe(true);
    expect(JSON.parse(read('package.json')).scripts.build).toBe('npm run build:server && npm run build:web');
  });

  it('runs node (not npm) as a non-root user, with a health check', () => {
    const froms = docker.filter((i) => i.op === 'FROM');
    expect(froms.length).toBeGreaterThanOrEqual(2);
    const runtime = docker.slice(docker.lastIndexOf(froms.at(-1)!));
    const users = runtime.filter((i) => i.op === 'USER').map((i) => i.args);
    expect(users.at(-1)).toBe('node');
    expect(runtime.find((i) => i.op === 'CMD')?.args).toBe('["node", "dist/main.js", "serve"]');
    expect(runtime.find((i) => i.op === 'HEALTHCHECK')?.args).toContain('/healthz');
    expect(runtime.some((i) => i.op === 'RUN' && i.args.includes('--omit=dev'))).toBe(true);
  });

  it('compose: two nodes behind nginx with PostgreSQL and Redis, nginx config from the cluster template', () => {
    const compose = read('compose.yaml');
    for (const service of ['postgres:', 'redis:', 'migrate:', 'parley1:', 'parley2:', 'nginx:'])
      expect(compose).toContain(`\n  ${service}`);
    expect(compose).toContain('PARLEY_NODE_ID: parley1');
    expect(compose).toContain('PARLEY_NODE_ID: parley2');
    expect(compose).toContain('./nginx.compose.conf:/etc/nginx/parley.conf:ro');
    expect(read('nginx.compose.conf')).toBe(composeNginx());
    expect(composeNginx()).toContain('server parley1:8080');
    expect(composeNginx()).toContain('server parley2:8080');
  });
});
