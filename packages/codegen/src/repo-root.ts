import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The monorepo root: the nearest folder upwards that holds both `specs/` and `turbo.json`. */
export function findRepoRoot(from: string): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'specs')) && existsSync(join(dir, 'turbo.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no refundkit repository (specs/ and turbo.json) above ${from}`);
    dir = parent;
  }
}
