import { defineConfig } from 'vitest/config';
import { sourceResolve } from './vitest.shared.js';

/**
 * The multi-node fault suite (`npm run test:faults`): real nodes on a private redis-server and
 * the machine's databases, with faults made through loopback proxies and SIGKILL. Kept out of
 * the default run (it takes about 1–3 minutes per dialect on 2 cores) and run by CI on its own.
 * Every test carries its own timeout (30 s; 45 s when it spawns a node process).
 */
export default defineConfig({
  ...sourceResolve,
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
