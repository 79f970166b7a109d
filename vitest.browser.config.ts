import { defineConfig } from 'vitest/config';
import { sourceResolve } from './vitest.shared.js';

// Browser end-to-end tests: real Parley servers driven through Debian's Chromium.
// Run with `npm run test:browser` (builds the web client first, and explains a skip).
export default defineConfig({
  ...sourceResolve,
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    globalSetup: ['test/browser/global-setup.ts'],
  },
});
