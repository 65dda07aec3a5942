import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../../vitest.config.base.ts';

/** The console's browser tests (`npm run test:browser` in test/): Debian's Chromium, driven by playwright-core. */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      root: import.meta.dirname,
      include: ['**/*.browser.ts'],
      outputFile: { json: '../.vitest-browser-report.json' },
      fileParallelism: false,
      testTimeout: 90_000,
      hookTimeout: 90_000,
    },
  }),
);
