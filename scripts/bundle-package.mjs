// Bundles the package in the current directory (its `build` script runs this, then `tsc` for the
// declarations only): src/index.ts and everything it imports relatively become dist/index.js,
// one ES module, plus one chunk per module that is only imported dynamically (the facade's
// provider adapters, loaded at first use). Anything imported by a bare name stays an import:
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
  // Modules shared by the entry and a lazily loaded chunk go into the entry (which every such
  // chunk's importer has loaded already) rather than into chunks of their own, which a cold
  // start would load one file at a time; the entry may then export a few more (internal) names.
  preserveEntrySignatures: 'allow-extension',
  logLevel: 'warn',
  // The sources are ES2022 TypeScript: strip types, change nothing else.
  transform: { target: 'es2022' },
  output: {
    dir: dist,
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: '[name].js',
    sourcemap: true,
  },
});
