// Compiles the server (src/ → dist/, tsconfig.build.json) when dist is missing or older than
// anything it is built from; `--force` always compiles. Run by `npm start` and `npm run migrate`
// (prestart, premigrate), so a fresh clone starts with no manual step. A production install
// (`npm ci --omit=dev`) has no compiler: it must ship dist/ already built, and then this
// script has nothing to do (no src/ beside it, or dist newer than src/).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newest } from './newest-mtime.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'main.js');
const sources = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

const force = process.argv.includes('--force');
const builtAt = fs.existsSync(out) ? fs.statSync(out).mtimeMs : 0;
const hasSources = fs.existsSync(path.join(root, 'src', 'main.ts'));
if (!force && builtAt && (!hasSources || builtAt >= Math.max(...sources.map((s) => newest(path.join(root, s))))))
  process.exit(0);
if (!hasSources) {
  process.stderr.write('parley: dist/main.js is missing and there is no src/ to build it from\n');
  process.exit(1);
}

if (!force)
  process.stdout.write(
    builtAt ? 'parley: server sources changed; rebuilding dist\n' : 'parley: dist missing; building the server\n',
  );
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (!fs.existsSync(tsc)) {
  process.stderr.write(
    'parley: cannot build the server: typescript is not installed (run `npm ci`, which installs dev dependencies)\n',
  );
  process.exit(1);
}
// A clean output: files of deleted sources must not linger in dist.
fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
// tsc keeps the source file's mode; the bin must be executable wherever it is installed.
fs.chmodSync(out, 0o755);
