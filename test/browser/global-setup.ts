import fs from 'node:fs';

// Not imported from harness.ts: vitest loads global setup outside the source-condition resolver,
// and the harness pulls in the server, which needs `@parley/client` resolved to its source.
const CHROMIUM = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';

/** Refuses to run without the browser (the npm script explains skips before getting here). */
export default function setup() {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: install it with apt-get install -y chromium`);
  if (!fs.existsSync('web/dist/index.html')) throw new Error('web/dist is not built: run npm run build:web');
}
