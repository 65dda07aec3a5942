import { defineConfig } from 'vitest/config';

/**
 * Shared by every workspace's vitest.config.ts: node only (servers bind to 127.0.0.1), and a
 * JSON report per workspace that `scripts/test-summary.mjs` adds up for CI.
 */
export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
  },
});
