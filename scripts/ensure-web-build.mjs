// Builds the web client when web/dist is missing or older than anything it is built from.
// Run by `npm start` (prestart) and `npm run test:browser`, so a clean clone works right after `npm ci`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newest } from './newest-mtime.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'web', 'dist', 'index.html');
const sources = [
  'web/src',
  'web/public',
  'web/index.html',
  'web/vite.config.ts',
  'src/protocol',
  'src/domain',
  'packages/client/src',
  'package-lock.json',
];

const builtAt = fs.existsSync(out) ? fs.statSync(out).mtimeMs : 0;
const sourcesAt = Math.max(...sources.map((s) => newest(path.join(root, s))));
if (builtAt && builtAt >= sourcesAt && !process.argv.includes('--force')) process.exit(0);

process.stdout.write(
  builtAt
    ? 'parley: web client sources changed; rebuilding web/dist\n'
    : 'parley: web/dist missing; building the web client\n',
);
const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
if (!fs.existsSync(vite)) {
  process.stderr.write(
    'parley: cannot build the web client: vite is not installed (run `npm ci`, which installs dev dependencies)\n',
  );
  process.exit(1);
}
const r = spawnSync(process.execPath, [vite, 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
