import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, ensureBuilt, freePort, run, tmpDir } from './processes.js';

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

function jsFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) =>
      d.isDirectory() ? jsFiles(path.join(dir, d.name)) : d.name.endsWith('.js') ? [path.join(dir, d.name)] : [],
    );
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
const packageOf = (spec: string) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

describe('production build', () => {
  beforeAll(() => ensureBuilt(), 600_000);

  it('runs from dist with runtime dependencies only (what npm ci --omit=dev installs)', () => {
    const dist = path.join(ROOT, 'dist');
    const runtime = new Set(Object.keys(pkg.dependencies));
    const builtins = new Set(builtinModules);
    const used = new Set<string>();
    for (const f of jsFiles(dist)) {
      const text = fs.readFileSync(f, 'utf8');
      for (const m of text.matchAll(
        /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm,
      )) {
        const spec = m[1] ?? m[2] ?? m[3]!;
        if (spec.startsWith('.')) {
          // Every relative import resolves inside dist (no .ts left behind).
          expect(spec, f).toMatch(/\.js$/);
          expect(fs.existsSync(path.resolve(path.dirname(f), spec)), `${f} imports ${spec}`).toBe(true);
          continue;
        }
        if (spec.startsWith('node:') || builtins.has(spec)) continue;
        used.add(packageOf(spec));
      }
    }
    const devOnly = [...used].filter((p) => !runtime.has(p));
    expect(devOnly).toEqual([]);
    expect(used.has('tsx') || used.has('typescript')).toBe(false);
    // The SQLite writer thread is plain JS loaded by URL: it must be in dist beside its loader.
    expect(fs.existsSync(path.join(dist, 'store', 'sqlite-writer-thread.js'))).toBe(true);
    expect(Object.keys(pkg.devDependencies)).toEqual(expect.arrayContaining(['tsx', 'typescript', 'vite']));
  });

  it('node dist/main.js --version prints the package version', () => {
    const r = spawnSync(process.execPath, ['dist/main.js', '--version'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(`parley ${pkg.version}`);
    expect(pkg.bin.parley).toBe('dist/main.js');
    expect(fs.readFileSync(path.join(ROOT, 'dist/main.js'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('node dist/main.js serve answers /healthz and stops on SIGTERM with exit 0', async () => {
    const port = await freePort();
    const dir = tmpDir('dist');
    const p = run(process.execPath, ['dist/main.js', 'serve'], {
      PARLEY_PORT: String(port),
      PARLEY_HOST: '127.0.0.1',
      PARLEY_DATA_DIR: dir,
      PARLEY_LOG_LEVEL: 'info',
    });
    try {
      await p.logLine('parley listening');
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const index = await fetch(`http://127.0.0.1:${port}/`);
      expect(index.headers.get('content-type')).toContain('text/html');
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
