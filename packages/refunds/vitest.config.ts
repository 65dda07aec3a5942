import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../../vitest.config.base.ts';

// test/global-setup.ts: dist rebuilt once when stale, for the tests that spawn Node on it.
export default mergeConfig(base, defineConfig({ test: { globalSetup: ['./test/global-setup.ts'] } }));
