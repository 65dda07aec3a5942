/**
 * Tests that spawn Node processes run the built package (dist): Node 20 cannot import
 * TypeScript. Before any test file runs, dist is rebuilt (the package's build: the bundle, then
 * the declarations) when a source is newer than it, once, so no two test files rebuild at once.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = join(root, 'dist', 'index.js');

const newestSource = (folder: string): number =>
  Math.max(
    0,
    ...readdirSync(folder, { withFileTypes: true }).map((item) => {
      const path = join(folder, item.name);
      return item.isDirectory() ? newestSource(path) : item.name.endsWith('.ts') ? statSync(path).mtimeMs : 0;
    }),
  );
const builtAt = (): number => (existsSync(entry) ? statSync(entry).mtimeMs : -1);

export default function setup(): void {
  if (builtAt() >= newestSource(join(root, 'src'))) return;
  const bundle = spawnSync(process.execPath, [join(root, '..', '..', 'scripts', 'bundle-package.mjs')], { cwd: root, encoding: 'utf8' });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const declarations = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  // Type errors elsewhere still leave a bundle; only a missing or stale one stops the tests.
  if (builtAt() < newestSource(join(root, 'src'))) {
    throw new Error(`building dist failed:\n${bundle.stdout}${bundle.stderr}${declarations.stdout}${declarations.stderr}`);
  }
}
