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
// The entry is src/index.ts unless named (the CLI's is src/main.ts, which becomes dist/main.js:
// each command is a chunk of its own, loaded when the command runs).
//
//   node ../../scripts/bundle-package.mjs [src/main.ts]
import { rmSync } from 'node:fs';
import { basename, extname, isAbsolute, join } from 'node:path';
import { build } from 'rolldown';

const cwd = process.cwd();
const dist = join(cwd, 'dist');
const entry = process.argv[2] ?? 'src/index.ts';
const isLibrary = entry === 'src/index.ts';

/** Relative and absolute ids are this package's own sources; bare names are dependencies. */
const external = (id) => !id.startsWith('.') && !isAbsolute(id) && !id.startsWith('\0');

// dist is this script's and tsc's alone: start clean, so no module of an earlier layout lingers.
rmSync(dist, { recursive: true, force: true });

await build({
  cwd,
  input: { [basename(entry, extname(entry))]: join(cwd, entry) },
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
    // A library entry needs most of what it shares with its chunks, so one `shared.js` costs it
    // nothing extra. The CLI's entry must stay small (`--version` loads no facade): what its
    // commands share stays in chunks named by what they hold, loaded only with those commands.
    ...(isLibrary ? { codeSplitting: { groups: [{ name: 'shared', minShareCount: 2 }] } } : {}),
    sourcemap: true,
  },
});
