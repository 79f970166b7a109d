import { defineConfig } from 'vitest/config';
import { sourceResolve } from './vitest.shared.js';

/**
 * The slow half of the hardening suite (`npm run test:chaos`): slow consumers, a reconnect
 * storm after a restart, and a soak with socket drops. Budget: see docs/security.md; every
 * test carries its own timeout within it, and the files run one after another so the
 * measurements are not disturbed by each other on a 2-core machine.
 */
export default defineConfig({
  ...sourceResolve,
  test: {
    include: ['test/chaos/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
