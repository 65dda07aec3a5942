import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../../vitest.config.base.ts';

// test/global-setup.ts: dist rebuilt once when stale, for the tests that spawn Node on it.
// test/pg-global-setup.ts: the PostgreSQL server for the PostgreSQL ledger's tests, or why they are skipped.
export default mergeConfig(base, defineConfig({ test: { globalSetup: ['./test/global-setup.ts', './test/pg-global-setup.ts'] } }));
