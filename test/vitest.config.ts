import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../vitest.config.base.ts';
import { PRIMARY_LINE_ONLY } from './primary-line-only.ts';

/** Set by .ci/run (and by hand to reproduce a line's run): `secondary` leaves PRIMARY_LINE_ONLY out. */
const secondaryLine = process.env.REFUNDKIT_NODE_LINE_ROLE === 'secondary';

export default mergeConfig(
  base,
  defineConfig({
    test: {
      include: ['**/*.test.ts'],
      exclude: ['node_modules/**', ...(secondaryLine ? PRIMARY_LINE_ONLY : [])],
    },
  }),
);
