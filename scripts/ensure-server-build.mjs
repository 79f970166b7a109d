// Compiles the server (src/ → dist/, tsconfig.build.json), after the workspace package it imports
// (@parley/client: packages/client/src → packages/client/dist), when dist is missing or older than
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
const client = path.join(root, 'packages', 'client');
const clientOut = path.join(client, 'dist', 'index.js');
const sources = [
  'src',
  'tsconfig.json',
  'tsconfig.build.json',
  'package-lock.json',
  'packages/client/src',
  'packages/client/package.json',
  'packages/client/tsconfig.json',
];

const force = process.argv.includes('--force');
// The older of the two outputs: both must be newer than every source.
const builtAt =
  fs.existsSync(out) && fs.existsSync(clientOut)
    ? Math.min(fs.statSync(out).mtimeMs, fs.statSync(clientOut).mtimeMs)
    : 0;
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
// Clean outputs: files of deleted sources must not linger in dist. The package first: the
// server's build reads its declarations and, at run time, its JavaScript.
for (const [dir, project] of [
  [path.join(client, 'dist'), 'packages/client/tsconfig.json'],
  [path.join(root, 'dist'), 'tsconfig.build.json'],
]) {
  fs.rmSync(dir, { recursive: true, force: true });
  const r = spawnSync(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
// tsc keeps the source file's mode; the bin must be executable wherever it is installed.
fs.chmodSync(out, 0o755);
