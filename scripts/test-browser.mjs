// `npm run test:browser`: builds the web client if needed, then runs the Chromium end-to-end
// suite. Without /usr/bin/chromium the suite FAILS under CI=true and is skipped (loudly) elsewhere.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const CHROMIUM = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';
if (!fs.existsSync(CHROMIUM)) {
  const why = `browser tests need Chromium at ${CHROMIUM} (apt-get install -y chromium)`;
  if (process.env.CI === 'true') {
    process.stderr.write(`\nFAIL: ${why}; CI=true, so a missing browser fails the run.\n\n`);
    process.exit(1);
  }
  process.stdout.write(`\n*** SKIPPED: browser tests were not run: ${why}. ***\n\n`);
  process.exit(0);
}
const run = (args) => spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1;
let code = run(['scripts/ensure-web-build.mjs']);
if (code === 0)
  code = run([
    'node_modules/vitest/vitest.mjs',
    'run',
    '--config',
    'vitest.browser.config.ts',
    ...process.argv.slice(2),
  ]);
process.exit(code);
