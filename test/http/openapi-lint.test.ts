import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startServer } from '../support/server.js';

const run = promisify(execFile);
const REDOCLY = path.resolve('node_modules/.bin/redocly');

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
}

/**
 * Runs Redocly's CLI on a document, offline: the built-in `recommended` ruleset, run from an
 * empty folder so no project config (and no remote one) is read, telemetry and update checks off.
 */
async function lint(file: string): Promise<{ code: number; report: LintReport; stderr: string }> {
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
  const args = ['lint', file, '--extends=recommended', '--format=json', '--max-problems=1000'];
  try {
    const r = await run(REDOCLY, args, { cwd: path.dirname(file), env, maxBuffer: 64 << 20 });
    return { code: 0, report: JSON.parse(r.stdout), stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return {
      code: err.code ?? -1,
      report: JSON.parse(err.stdout || '{"totals":{},"problems":[]}'),
      stderr: err.stderr ?? '',
    };
  }
}

const brief = (r: LintReport) =>
  r.problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`);

describe('redocly lint (recommended rules)', () => {
  let s: TestServer;
  let dir: string;
  beforeAll(async () => {
    s = await startServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-lint-'));
  });
  afterAll(async () => {
    await s?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports no error on the served document', async () => {
    const doc = await s.api.get('/api/v1/openapi.json');
    expect(doc.status).toBe(200);
    const file = path.join(dir, 'openapi.json');
    fs.writeFileSync(file, JSON.stringify(doc.body, null, 2));
    const { code, report, stderr } = await lint(file);
    expect(report.totals.errors, brief(report).join('\n') + stderr).toBe(0);
    expect(code, stderr).toBe(0);
    // The one warning left: the probes (and this document) answer no 4xx, and claiming one
    // would be untrue.
    const probes = ['/healthz', '/readyz', '/api/v1/openapi.json'].map(
      (p) => `#/paths/${p.replace(/\//g, '~1')}/get/responses`,
    );
    expect(
      report.problems.filter(
        (p) => !(p.ruleId === 'operation-4xx-response' && probes.includes(p.location[0]!.pointer)),
      ),
    ).toEqual([]);
  }, 120_000);

  it('fails a document with an error (the check can fail)', async () => {
    const file = path.join(dir, 'broken.json');
    const doc = (await s.api.get('/api/v1/openapi.json')).body;
    fs.writeFileSync(file, JSON.stringify({ ...doc, servers: [] }));
    const { code, report } = await lint(file);
    expect(code).not.toBe(0);
    expect(report.totals.errors).toBeGreaterThan(0);
    expect(report.problems.map((p) => p.ruleId)).toContain('no-empty-servers');
  }, 120_000);
});
