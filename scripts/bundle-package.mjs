// Bundles the package in the current directory (its `build` script runs this, then `tsc` for the
// declarations only): src/index.ts and everything it imports relatively become dist/index.js,
// one ES module, plus one chunk per module that is only imported dynamically (the facade's
// provider adapters, loaded at first use) and one `shared.js` with what the entry and those
// chunks share. Anything imported by a bare name stays an import:
// `node:` built-ins, the other @refundkit packages and third-party dependencies.
//
// Why: a fresh process pays for every module it loads, and tsc's output is one module per
// source file (cold start, issue #7).
//
//   node ../../scripts/bundle-package.mjs
import { rmSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { build } from 'rolldown';

const cwd = process.cwd();
const dist = join(cwd, 'dist');

/** Relative and absolute ids are this package's own sources; bare names are dependencies. */
const external = (id) => !id.startsWith('.') && !isAbsolute(id) && !id.startsWith('\0');

// dist is this script's and tsc's alone: start clean, so no module of an earlier layout lingers.
rmSync(dist, { recursive: true, force: true });

await build({
  cwd,
  input: { index: join(cwd, 'src/index.ts') },
  platform: 'node',
  external,
  // The entry exports exactly what src/index.ts does. Modules it shares with a lazily loaded
  // chunk go, all together, into one `shared.js` (see `codeSplitting`), not one chunk each,
  // which a cold start would load one file at a time.
  preserveEntrySignatures: 'strict',
  logLevel: 'warn',
  // The sources are ES2022 TypeScript: strip types, change nothing else.
  transform: { target: 'es2022' },
  output: {
    dir: dist,
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: '[name].js',
    codeSplitting: { groups: [{ name: 'shared', minShareCount: 2 }] },
    sourcemap: true,
  },
});
